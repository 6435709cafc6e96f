"""The actors floor: every actor of the bot and the pure logic they run."""
