"""The actors floor: every actor and service of the bot, thin trio shells that run the rules of
`domain/` and apply their effects through `storage/` (and a gateway, through the port)."""
