"""Draw the example school's pictures: a logo, a map, staff portraits and place 'photos'.

The example school is fictional and its people are not real, so every picture is
drawn here with Pillow instead of photographed. Run it again to redraw them:

    python scripts/draw_example_images.py
"""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "pupils" / "images"
FONT = ROOT / "theme" / "assets" / "fonts" / "print" / "AtkinsonHyperlegibleNext-Bold.ttf"


def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT), size)


def logo() -> None:
    image = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, 390, 390), fill="#1f5f8b")
    for offset in (0, 50, 100):
        draw.arc((60, 150 + offset, 340, 300 + offset), 200, 340, fill="#ffffff", width=18)
    draw.polygon([(200, 60), (250, 150), (150, 150)], fill="#f2a900")
    image.save(DATA / "logo.png", optimize=True)


BUILDINGS = [
    # (label, box, colour)
    ("Reception", (420, 640, 780, 760), "#f6d28b"),
    ("Student office", (300, 600, 420, 700), "#f3c27a"),
    ("A block", (80, 260, 360, 600), "#a9c7e8"),
    ("B block", (840, 300, 1120, 600), "#b7dfc4"),
    ("Library", (470, 260, 730, 420), "#e3c3e8"),
    ("Canteen", (230, 130, 480, 250), "#f5b5a8"),
    ("Science", (860, 170, 1060, 290), "#cfe8a9"),
    ("Sports hall", (940, 20, 1180, 160), "#d7d7d7"),
]


def school_map() -> None:
    image = Image.new("RGB", (1200, 800), "#dcefd2")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 770, 1200, 800), fill="#9e9e9e")  # road
    draw.rectangle((420, 760, 780, 770), fill="#bdbdbd")
    draw.rectangle((520, 430, 820, 640), fill="#efe6d2")  # courtyard
    draw.rounded_rectangle((560, 30, 900, 190), radius=30, fill="#c8e6b0", outline="#7cb342", width=4)
    draw.text((640, 90), "Playground", font=font(30), fill="#33691e")
    for x in range(40, 1200, 160):
        draw.ellipse((x, 700, x + 40, 740), fill="#7cb342")
    for label, box, colour in BUILDINGS:
        draw.rounded_rectangle(box, radius=14, fill=colour, outline="#37474f", width=4)
        size = 30 if box[2] - box[0] > 150 else 22
        text_box = draw.textbbox((0, 0), label, font=font(size))
        width = text_box[2] - text_box[0]
        # Labels sit near the top of each building, so the pupil's numbered pins never hide them.
        draw.text(((box[0] + box[2] - width) / 2, box[1] + 10), label, font=font(size), fill="#263238")
    draw.text((980, 760), "Car park", font=font(22), fill="#ffffff")
    draw.polygon([(1150, 640), (1170, 600), (1190, 640)], fill="#263238")
    draw.text((1160, 645), "N", font=font(22), fill="#263238")
    image.save(DATA / "map.png", optimize=True)


def portrait(path: Path, seed: int, skin: str, hair: str, shirt: str, long_hair: bool) -> None:
    rng = random.Random(seed)
    background = rng.choice(["#e3f2fd", "#fff3e0", "#e8f5e9", "#f3e5f5", "#fffde7"])
    image = Image.new("RGB", (600, 600), background)
    draw = ImageDraw.Draw(image)
    draw.ellipse((110, 430, 490, 760), fill=shirt)
    if long_hair:
        draw.rounded_rectangle((160, 150, 440, 470), radius=120, fill=hair)
    draw.rectangle((265, 360, 335, 450), fill=skin)
    draw.ellipse((180, 130, 420, 400), fill=skin)
    draw.chord((170, 100, 430, 300), 180, 360, fill=hair)
    for x in (245, 335):
        draw.ellipse((x, 245, x + 22, 267), fill="#263238")
    draw.arc((250, 280, 350, 350), 20, 160, fill="#6d2b2b", width=7)
    image.save(path, quality=82, optimize=True)


def place(path: Path, title: str, colour: str, draw_scene) -> None:  # type: ignore[no-untyped-def]
    image = Image.new("RGB", (800, 600), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 420, 800, 600), fill="#cfd8dc")
    draw_scene(draw)
    draw.rounded_rectangle((20, 20, 20 + 26 * len(title) + 40, 90), radius=14, fill="#ffffffdd")
    draw.text((40, 30), title, font=font(40), fill="#263238")
    image.save(path, quality=80, optimize=True)


def scenes() -> dict[str, tuple[str, str, object]]:
    def reception(d: ImageDraw.ImageDraw) -> None:
        d.rectangle((120, 300, 680, 440), fill="#8d6e63")
        d.rectangle((100, 280, 700, 310), fill="#a1887f")
        d.rectangle((560, 120, 760, 420), outline="#90caf9", width=10)

    def toilets(d: ImageDraw.ImageDraw) -> None:
        for x in (120, 330, 540):
            d.rectangle((x, 150, x + 160, 440), fill="#4fc3f7", outline="#0277bd", width=6)
            d.ellipse((x + 120, 290, x + 140, 310), fill="#0277bd")

    def hub(d: ImageDraw.ImageDraw) -> None:
        d.ellipse((100, 330, 300, 470), fill="#ff8a65")
        d.ellipse((480, 330, 680, 470), fill="#81c784")
        d.rectangle((300, 300, 480, 380), fill="#a1887f")

    def nest(d: ImageDraw.ImageDraw) -> None:
        d.ellipse((250, 250, 550, 470), fill="#bcaaa4")
        d.ellipse((300, 200, 500, 330), fill="#d7ccc8")
        d.polygon([(500, 160), (560, 180), (500, 200)], fill="#ffb300")

    def library(d: ImageDraw.ImageDraw) -> None:
        rng = random.Random(3)
        for shelf in range(3):
            y = 150 + shelf * 95
            d.rectangle((80, y + 80, 720, y + 90), fill="#5d4037")
            x = 90
            while x < 700:
                w = rng.randint(18, 34)
                d.rectangle(
                    (x, y + rng.randint(10, 30), x + w, y + 80),
                    fill=rng.choice(["#e57373", "#64b5f6", "#81c784", "#ffd54f", "#ba68c8"]),
                )
                x += w + 4

    def canteen(d: ImageDraw.ImageDraw) -> None:
        for x in (100, 450):
            d.rectangle((x, 340, x + 260, 370), fill="#8d6e63")
            d.ellipse((x + 60, 310, x + 120, 340), fill="#fff")
            d.ellipse((x + 150, 310, x + 210, 340), fill="#fff")

    def playground(d: ImageDraw.ImageDraw) -> None:
        d.rectangle((0, 300, 800, 600), fill="#9ccc65")
        d.ellipse((120, 180, 320, 330), fill="#43a047")
        d.rectangle((205, 320, 235, 420), fill="#6d4c41")
        d.rectangle((450, 380, 700, 400), fill="#8d6e63")

    def classroom(d: ImageDraw.ImageDraw) -> None:
        d.rectangle((200, 110, 600, 280), fill="#2e7d32", outline="#5d4037", width=10)
        for x in (120, 340, 560):
            d.rectangle((x, 360, x + 140, 390), fill="#a1887f")

    def lab(d: ImageDraw.ImageDraw) -> None:
        d.rectangle((80, 330, 720, 370), fill="#37474f")
        d.polygon([(330, 330), (370, 220), (410, 220), (450, 330)], fill="#80deea")
        d.rectangle((370, 170, 410, 222), fill="#80deea")

    def sports(d: ImageDraw.ImageDraw) -> None:
        d.rectangle((0, 380, 800, 600), fill="#ffcc80")
        d.line((400, 380, 400, 600), fill="#ffffff", width=6)
        d.ellipse((350, 440, 450, 540), outline="#ffffff", width=6)

    def office(d: ImageDraw.ImageDraw) -> None:
        d.rectangle((150, 320, 650, 440), fill="#90a4ae")
        d.rectangle((330, 200, 470, 300), fill="#263238")

    return {
        "reception.jpg": ("Reception", "#fff8e1", reception),
        "toilets.jpg": ("Toilets", "#e1f5fe", toilets),
        "hub.jpg": ("The Hub", "#e8f5e9", hub),
        "nest.jpg": ("The Nest", "#fbe9e7", nest),
        "library.jpg": ("Library", "#f3e5f5", library),
        "canteen.jpg": ("Canteen", "#fff3e0", canteen),
        "playground.jpg": ("Playground", "#e3f2fd", playground),
        "a-block.jpg": ("A block", "#ede7f6", classroom),
        "science-lab.jpg": ("Science lab", "#e0f7fa", lab),
        "sports-hall.jpg": ("Sports hall", "#fff8e1", sports),
        "office.jpg": ("Student office", "#eceff1", office),
    }


def main() -> None:
    for folder in ("staff", "places", "pupils"):
        (DATA / folder).mkdir(parents=True, exist_ok=True)
    logo()
    school_map()
    people = {
        "staff/ms-khan.jpg": ("#c68c53", "#212121", "#7e57c2", True),
        "staff/mr-evans.jpg": ("#f1c27d", "#8d5524", "#1e88e5", False),
        "staff/mrs-okafor.jpg": ("#8d5524", "#1b1b1b", "#e53935", True),
        "staff/mr-nowak.jpg": ("#ffdbac", "#c0a062", "#43a047", False),
        "staff/ms-lewis.jpg": ("#f1c27d", "#b55239", "#00897b", True),
        "staff/mr-hughes.jpg": ("#e0ac69", "#3e2723", "#fb8c00", False),
        "pupils/amy.jpg": ("#ffdbac", "#6d4c41", "#283593", True),
        "pupils/jordan.jpg": ("#a16e4b", "#1b1b1b", "#283593", False),
    }
    for seed, (name, (skin, hair, shirt, long_hair)) in enumerate(people.items()):
        portrait(DATA / name, seed, skin, hair, shirt, long_hair)
    for name, (title, colour, scene) in scenes().items():
        place(DATA / "places" / name, title, colour, scene)


if __name__ == "__main__":
    main()
