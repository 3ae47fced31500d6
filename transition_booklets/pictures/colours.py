"""Colour arithmetic for readable pages: the school's colours adjusted to pass WCAG AA contrast."""

from __future__ import annotations


def hex_to_rgb(colour: str) -> tuple[int, int, int]:
    value = colour.strip().lstrip("#")
    if len(value) == 3:
        value = "".join(character * 2 for character in value)
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def rgb_to_hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def luminance(colour: str) -> float:
    def channel(value: int) -> float:
        scaled = value / 255
        return scaled / 12.92 if scaled <= 0.03928 else ((scaled + 0.055) / 1.055) ** 2.4

    red, green, blue = hex_to_rgb(colour)
    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def contrast(first: str, second: str) -> float:
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def readable_on_white(colour: str, minimum: float = 7.0) -> str:
    """``colour`` darkened just enough for text in it on white (and white text on it) to reach ``minimum``."""
    red, green, blue = hex_to_rgb(colour)
    for step in range(0, 101):
        factor = 1 - step / 100
        candidate = rgb_to_hex((round(red * factor), round(green * factor), round(blue * factor)))
        if contrast(candidate, "#ffffff") >= minimum:
            return candidate
    return "#000000"


def text_colour_for(background: str) -> str:
    """Black or white, whichever reads better on ``background``."""
    return "#ffffff" if contrast(background, "#ffffff") >= contrast(background, "#1b1f23") else "#1b1f23"
