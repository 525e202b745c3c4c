"""Every Discord limit the bot works within, in one place.

Discord refuses (HTTP 400) a message, a component or an autocomplete reply over any of
these, and the member then gets nothing; so each text is cut to its limit before it is
sent. The quote itself is cut to `presentation.QUOTE_LIMIT` (3,800), which leaves room
in DESCRIPTION for the highlights' escaping and a note.

Plain numbers, no discord.py import: the engine and the console never need this module.
"""

# Embeds (https://discord.com/developers/docs/resources/message#embed-object-embed-limits)
TITLE = 256
DESCRIPTION = 4096
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
AUTHOR = 256
EMBED_TOTAL = 6000  # all of an embed's texts together
MAX_FIELDS = 25
URL = 2048

# Messages and components
CONTENT = 2000  # a message's plain text
CUSTOM_ID = 100  # a button's custom id
BUTTON_LABEL = 80  # a button's label

# Autocomplete
CHOICES = 25  # choices in one autocomplete reply
CHOICE_CHARS = 100  # a choice's name and its value

# The bot's status line (a custom activity's name)
STATUS = 128

# Threads (a thread's name, which the bot takes from the question)
THREAD_NAME = 100
