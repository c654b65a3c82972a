"""The five processes as pure rules: plain data in, a decision out.

Nothing here touches Qt, SQL, files or the clock. Every decision carries the
ids of the rules it applied and the version of the rule file it used, so a
history entry can say why something was decided.
"""

#: The process names of ``agent-assist rules`` (one rule file each).
PROCESSES: tuple[str, ...] = (
    "contract",
    "fair-use",
    "expiry",
    "goodwill",
    "onboarding",
    "complaint",
)
