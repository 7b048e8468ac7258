"""What an SMTP server's refusal means for the message (RFC 5321 reply codes, RFC 3463 enhanced codes).

- 4xx anywhere: temporary (greylisting, a full queue, a rate limit): RETRY.
- At RCPT, 5xx is about the recipient (550 no such user, 553 bad mailbox, 551, 521/556 a domain
  that takes no mail): UNREACHABLE. Except a 5.7.x (policy: relaying denied, our IP blocklisted),
  which is about the sender: FAILED; and 552 (mailbox full), which RFC 5321 §4.5.3.1.10 says to
  treat as the temporary 452: RETRY.
- At MAIL, 5xx is about our envelope sender or size: FAILED.
- At DATA, 5xx is about the content (552 too big, 554 refused as spam): FAILED; unless its enhanced
  code says the mailbox (5.1.x; some servers refuse recipients only after the content): UNREACHABLE.
"""

from __future__ import annotations

import re
from typing import Literal

from retentio.messaging.channels.port import SendResult

Stage = Literal["MAIL", "RCPT", "DATA"]
_ENHANCED = re.compile(r"\s*([245])\.(\d{1,3})\.(\d{1,3})\b")
_MAILBOX_SUBJECT = "1"  # RFC 3463 X.1.X: addressing status
_POLICY_SUBJECT = "7"  # RFC 3463 X.7.X: security or policy status


def classify_refusal(stage: Stage, code: int, text: str) -> SendResult:
    reason = f"{stage} {code} {' '.join(text.split())}".rstrip()
    if 400 <= code < 500:
        return SendResult.retry(reason)
    if not 500 <= code < 600:
        return SendResult.retry(f"{reason} (not an SMTP reply code)")
    subject = _enhanced_subject(text)
    if stage == "RCPT":
        if subject == _POLICY_SUBJECT:
            return SendResult.failed(reason)
        if code == 552:
            return SendResult.retry(reason)
        return SendResult.unreachable(reason)
    if stage == "DATA" and subject == _MAILBOX_SUBJECT:
        return SendResult.unreachable(reason)
    return SendResult.failed(reason)


def _enhanced_subject(text: str) -> str | None:
    match = _ENHANCED.match(text)
    return match.group(2) if match else None
