"""How people type in chat, read as the words they mean: "whats" → what is, "u" → you.

A small table of general English chat spellings and apostrophe-less contractions,
not of any story's words. It is applied to questions only (a story is edited text):
without it, "whats" was an unknown word that weighed as much as a name the story
never mentions. Each entry is a word people use in any chat about any subject.
"""

from __future__ import annotations

CHAT_SPELLINGS: dict[str, str] = {
    # question words and pronouns
    "whats": "what is", "wats": "what is", "wat": "what", "wut": "what", "wht": "what",
    "whos": "who is", "wheres": "where is", "whens": "when is", "hows": "how is", "whys": "why is",
    "thats": "that is", "theres": "there is", "heres": "here is",
    "u": "you", "ya": "you", "ur": "your", "r": "are", "y": "why", "b4": "before",
    "im": "i am", "ive": "i have",
    "youre": "you are", "theyre": "they are", "hes": "he is", "shes": "she is", "weve": "we have",
    # negations without the apostrophe
    "dont": "do not", "doesnt": "does not", "didnt": "did not", "isnt": "is not", "wasnt": "was not",
    "arent": "are not", "werent": "were not", "cant": "cannot", "wont": "will not", "wouldnt": "would not",
    "couldnt": "could not", "shouldnt": "should not", "hasnt": "has not", "havent": "have not", "hadnt": "had not",
    # chat shorthand
    "gonna": "going to", "wanna": "want to", "gotta": "got to", "kinda": "kind of", "sorta": "sort of",
    "pls": "please", "plz": "please", "thx": "thanks", "ty": "thank you", "tho": "though", "thru": "through",
    "abt": "about", "bout": "about", "bc": "because", "cuz": "because", "coz": "because",
    "ppl": "people", "govt": "government", "gov": "government", "yr": "year", "yrs": "years",
    "rn": "right now", "atm": "at the moment", "idk": "i do not know", "imo": "in my opinion",
    "btw": "by the way", "smth": "something", "sth": "something",
}


def chat_meaning(word: str) -> str | None:
    """What a chat spelling stands for ("whats" → "what is"), or None for an ordinary word."""
    return CHAT_SPELLINGS.get(word)
