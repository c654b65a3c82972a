"""Agent Assist: guided customer processes for telecom call-centre agents."""

__version__ = "0.1.0"
APP_NAME = "Agent Assist"
APP_ID = "agent-assist"
