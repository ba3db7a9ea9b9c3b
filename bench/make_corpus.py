"""How bench/corpus was made (run once, committed):

    python bench/make_corpus.py <folder of the mate-backgrounds photos>


The ten photographs of 1.9 MP and more from Debian's mate-backgrounds 1.26.0 (GPL-2+, see
corpus/LICENSE.md), re-encoded as JPEG quality 85 at their full size to keep the repository small.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyvips

MIN_PIXELS = 1_900_000


def main(source: Path) -> None:
    target = Path(__file__).parent / "corpus"
    for photo in sorted(source.glob("*.jpg")):
        image = pyvips.Image.new_from_file(str(photo))
        if image.width * image.height >= MIN_PIXELS:
            image.jpegsave(str(target / photo.name.lower()), Q=85, keep=pyvips.enums.ForeignKeep.NONE)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
