"""Mobile push: FCM HTTP v1 and RuStore, one adapter for both (RuStore's API is a drop-in for FCM's
``messages:send``); they differ only in the base URL, how the bearer token is had (a service
account's OAuth2 token for FCM, a fixed service token for RuStore) and which answers mean a dead
device token."""
