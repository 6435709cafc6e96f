"""The domain floor: the pure rules of the bot, with no trio, no I/O and nothing of the project
below it. Inbound event types and identities, the listing parser, the conversation state
machine and its typed state, the message catalog, formatting, the copywriter templates, admin
command parsing, pacing and readiness schedules, and what the actors need of a gateway."""
