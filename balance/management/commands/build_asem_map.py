"""Build data/asem_map.json: the outlines of the ASEM partner countries for the map of the
statistics page, from Natural Earth's 1:110m admin-0 countries (public domain).

How data/asem_map.json was produced (no network needed beyond PyPI):

    pip download "geopandas<1" --no-deps -d /tmp/geo        # geopandas 0.14.4
    cd /tmp/geo && unzip geopandas-0.14.4-py3-none-any.whl 'geopandas/datasets/*'
    manage.py build_asem_map /tmp/geo/geopandas/datasets/naturalearth_lowres

That wheel ships Natural Earth 1:110m "Admin 0 – Countries" (v5) as the shapefile
`naturalearth_lowres`. This command reads it with the small reader below (no GIS library),
projects the longitude and latitude onto a flat map (equirectangular, longitudes scaled by
the cosine of 40°, which keeps Europe and South-East Asia both recognisable), simplifies
each ring (Douglas–Peucker) and writes one SVG path per ASEM country, plus one path of the
neighbouring countries drawn in grey for context. Countries too small for the map at this
scale (Singapore, Malta, Luxembourg, Brunei, …) get a marker at their capital
(data/asem_capitals.json) in the page instead.
"""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

LON_SCALE = math.cos(math.radians(40))
SCALE = 5.0  # SVG units per (scaled) degree
TOLERANCE = 0.6  # SVG units: about 0.12° of latitude
CONTEXT_TOLERANCE = 1.2
# The map's frame in degrees: from west of Ireland to east of New Zealand and Chukotka.
WEST, EAST, SOUTH, NORTH = -25.0, 192.0, -48.0, 78.0
# A country whose outline spans fewer SVG units than this gets a marker.
SMALL_SPAN = 6.0
ALWAYS_MARKED = {"SG", "BN", "LU", "MT", "CY"}  # too small to find even with an outline
# Natural Earth leaves some ISO codes as -99; its ADM0_A3 column is then the code.
ISO_FIXES = {"France": "FRA", "Norway": "NOR", "Kosovo": "XKX", "N. Cyprus": "CYN"}


# --- a minimal shapefile reader: polygons of a .shp, attributes of its .dbf ---------------------


def read_polygons(shp: bytes) -> list[list[list[tuple[float, float]]]]:
    """The rings of each record of a polygon shapefile (shape types 5 and 15)."""
    out, pos = [], 100
    while pos + 8 <= len(shp):
        _number, words = struct.unpack(">ii", shp[pos : pos + 8])
        body = shp[pos + 8 : pos + 8 + 2 * words]
        pos += 8 + 2 * words
        kind = struct.unpack("<i", body[:4])[0]
        if kind == 0:
            out.append([])
            continue
        if kind not in (5, 15, 25):
            raise CommandError(f"Shape type {kind} is not a polygon.")
        n_parts, n_points = struct.unpack("<ii", body[36:44])
        parts = list(struct.unpack(f"<{n_parts}i", body[44 : 44 + 4 * n_parts]))
        start = 44 + 4 * n_parts
        flat = struct.unpack(f"<{2 * n_points}d", body[start : start + 16 * n_points])
        points = list(zip(flat[::2], flat[1::2], strict=True))
        bounds = [*parts, n_points]
        out.append([points[bounds[i] : bounds[i + 1]] for i in range(n_parts)])
    return out


def read_dbf(dbf: bytes, encoding: str = "utf-8") -> list[dict[str, str]]:
    n_records, header_len, record_len = struct.unpack("<IHH", dbf[4:12])
    fields, pos = [], 32
    while dbf[pos] != 0x0D:
        name = dbf[pos : pos + 11].split(b"\0")[0].decode("ascii")
        fields.append((name, dbf[pos + 16]))
        pos += 32
    rows = []
    for i in range(n_records):
        record = dbf[header_len + i * record_len : header_len + (i + 1) * record_len]
        row, offset = {}, 1  # byte 0: the deletion flag
        for name, length in fields:
            row[name] = record[offset : offset + length].decode(encoding).strip()
            offset += length
        rows.append(row)
    return rows


# --- projection and simplification ----------------------------------------------------------------


def project(lon: float, lat: float) -> tuple[float, float]:
    return ((lon - WEST) * LON_SCALE * SCALE, (NORTH - lat) * SCALE)


def simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas–Peucker, iterative (rings of thousands of points would recurse deeply)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        norm = math.hypot(dx, dy)
        worst, index = 0.0, None
        for i in range(first + 1, last):
            px, py = points[i]
            if norm == 0:
                d = math.hypot(px - x1, py - y1)
            else:
                d = abs(dy * px - dx * py + x2 * y1 - y2 * x1) / norm
            if d > worst:
                worst, index = d, i
        if index is not None and worst > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def ring_path(ring: list[tuple[float, float]], tolerance: float) -> str:
    # Chukotka lies across the antimeridian: draw it east of 180° rather than far west.
    if all(lon < -150 for lon, _lat in ring):
        ring = [(lon + 360, lat) for lon, lat in ring]
    if not any(WEST <= lon <= EAST and SOUTH <= lat <= NORTH for lon, lat in ring):
        return ""
    points = simplify([project(lon, lat) for lon, lat in ring], tolerance)
    if len(points) < 4:  # a ring simplified to a sliver
        return ""
    head, *rest = [f"{x:.1f} {y:.1f}" for x, y in points]
    return "M" + head + "L" + "L".join(rest[:-1]) + "Z"


def build(folder: Path) -> dict:
    stem = folder / folder.name
    shapes = read_polygons(stem.with_suffix(".shp").read_bytes())
    cpg = stem.with_suffix(".cpg")
    encoding = cpg.read_text().strip() if cpg.exists() else "utf-8"
    rows = read_dbf(stem.with_suffix(".dbf").read_bytes(), encoding)
    partners = json.loads((settings.TANDEM_DATA_DIR / "asem_partners.json").read_text())
    wanted = {p["iso_alpha3"]: p for p in partners["partners"] if p["iso_alpha3"]}
    capitals = json.loads((settings.TANDEM_DATA_DIR / "asem_capitals.json").read_text())
    capital_of = {c["iso_alpha2"]: (c["lon"], c["lat"]) for c in capitals["capitals"]}

    countries, context = {}, []
    for row, rings in zip(rows, shapes, strict=True):
        iso3 = row.get("iso_a3", "")
        if iso3 in ("", "-99"):
            iso3 = ISO_FIXES.get(row.get("name", ""), iso3)
        if iso3 in wanted:
            path = "".join(ring_path(r, TOLERANCE) for r in rings)
            countries[wanted[iso3]["iso_alpha2"]] = path
        else:
            context.append("".join(ring_path(r, CONTEXT_TOLERANCE) for r in rings))

    out = {}
    for partner in sorted(wanted.values(), key=lambda p: p["iso_alpha2"]):
        code = partner["iso_alpha2"]
        path = countries.get(code, "")
        entry = {"name": partner["name"], "group": partner["group"], "path": path}
        if code in ALWAYS_MARKED or _span(path) < SMALL_SPAN:
            lon, lat = capital_of[code]
            x, y = project(lon, lat)
            entry["marker"] = [round(x, 1), round(y, 1)]
        out[code] = entry
    width, height = project(EAST, SOUTH)
    return {
        "description": (
            "Outlines of the 51 ASEM partner countries (SVG paths, one per ISO 3166-1 "
            "alpha-2 code) for the statistics map, and the neighbouring countries as one "
            "grey context path. Natural Earth 1:110m admin-0 countries v5, projected "
            "(equirectangular, longitudes × cos 40°) and simplified by "
            "balance/management/commands/build_asem_map.py. Countries too small to see "
            "carry a marker at their capital. The European Union and the ASEAN "
            "Secretariat are no territory of their own and have no outline."
        ),
        "source": "Natural Earth, https://www.naturalearthdata.com/ — public domain",
        "viewbox": [0, 0, round(width, 1), round(height, 1)],
        "countries": out,
        "context": "".join(context),
    }


def _span(path: str) -> float:
    if not path:
        return 0.0
    numbers = [float(t) for t in path.replace("M", " ").replace("L", " ").replace("Z", " ").split()]
    xs, ys = numbers[::2], numbers[1::2]
    return max(max(xs) - min(xs), max(ys) - min(ys))


class Command(BaseCommand):
    help = "Build data/asem_map.json from Natural Earth's 1:110m countries (see the module)."

    def add_arguments(self, parser):
        parser.add_argument("folder", help="the naturalearth_lowres folder (.shp and .dbf)")
        parser.add_argument("--out", default=str(settings.TANDEM_DATA_DIR / "asem_map.json"))

    def handle(self, folder, out, **options):
        data = build(Path(folder))
        missing = [c for c, e in data["countries"].items() if not e["path"]]
        Path(out).write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")
        size = Path(out).stat().st_size
        self.stdout.write(
            f"{len(data['countries'])} countries ({len(missing)} without an outline: "
            f"{', '.join(missing) or 'none'}), {size / 1024:.0f} KB → {out}"
        )
