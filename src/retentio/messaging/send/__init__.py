"""Sending: the due work that decides, renders and hands each message to its channel, and records
what the provider answered."""
