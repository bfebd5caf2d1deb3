"""Numbers for the server-rendered SVG charts (the templates draw them; no JavaScript)."""

from dataclasses import dataclass

BAR_AREA = 100  # the longest bar's length, in viewBox units
ROW = 22  # one service's height: its label, the target bar and the achieved bar


@dataclass
class Bar:
    label: str
    done: int
    target: int | None
    done_width: float
    target_width: float
    top: int

    @property
    def label_y(self) -> float:
        return self.top + 7

    @property
    def target_y(self) -> float:
        return self.top + 9

    @property
    def done_y(self) -> float:
        return self.top + 15

    @property
    def value_y(self) -> float:
        return self.top + 19.5


@dataclass
class BarChart:
    bars: list[Bar]

    @property
    def height(self) -> int:
        return ROW * len(self.bars) + 4


def target_bars(services) -> BarChart:
    """Target against achieved per service, scaled to the largest number on the chart."""
    largest = max([1, *(s.done for s in services), *(s.target or 0 for s in services)])
    return BarChart(
        [
            Bar(
                label=s.service.name,
                done=s.done,
                target=s.target,
                done_width=round(BAR_AREA * s.done / largest, 2),
                target_width=round(BAR_AREA * (s.target or 0) / largest, 2),
                top=ROW * i,
            )
            for i, s in enumerate(services)
        ]
    )


@dataclass
class ValueBar:
    label: str
    value: int
    width: float
    top: int

    @property
    def label_y(self) -> float:
        return self.top + 6

    @property
    def bar_y(self) -> float:
        return self.top + 8

    @property
    def value_y(self) -> float:
        return self.top + 12.5


@dataclass
class ValueChart:
    bars: list[ValueBar]
    row: int = 16

    @property
    def height(self) -> int:
        return self.row * len(self.bars) + 4


def value_bars(pairs: list[tuple[str, int]]) -> ValueChart:
    """One bar per (label, value), scaled to the largest value."""
    largest = max([1, *(value for _, value in pairs)])
    return ValueChart(
        [
            ValueBar(label, value, round(BAR_AREA * value / largest, 2), 16 * i)
            for i, (label, value) in enumerate(pairs)
        ]
    )
