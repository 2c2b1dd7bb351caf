"""Text labels that never collide: which points of a scatter get their label written beside them."""

from __future__ import annotations

from collections.abc import Sequence

#: Approximate pixels of one label character (11 px font) and of a label's height.
CHAR_PX, LABEL_PX = 6.6, 15.0


def non_overlapping(
    x_px: Sequence[float], y_px: Sequence[float], radius_px: Sequence[float], labels: Sequence[str],
    priority: Sequence[float],
) -> list[bool]:
    """Per point, whether its label (centred above its bubble, ``top center``) is drawn: highest ``priority``
    first, a label is left out when its box would overlap one already drawn. Positions and radii are in
    (approximate) pixels of the plot area, y upwards."""
    boxes: list[tuple[float, float, float, float]] = []
    keep = [False] * len(labels)
    for i in sorted(range(len(labels)), key=lambda k: -float(priority[k])):
        half = 0.5 * CHAR_PX * len(labels[i])
        bottom = y_px[i] + radius_px[i] + 2
        box = (x_px[i] - half, x_px[i] + half, bottom, bottom + LABEL_PX)
        if all(box[1] < b[0] or b[1] < box[0] or box[3] < b[2] or b[3] < box[2] for b in boxes):
            boxes.append(box)
            keep[i] = True
    return keep
