#!/usr/bin/python3
"""Real-picture image folders for the transfer-learning bench (issue 22), built from Debian packages only.

  emoji-10    10 fine classes of animals, plants, food and drink; train = three emoji vendors, test = the fourth
  emoji-9     the 9 broad Unicode emoji groups (smileys ... flags); train = three vendors, test = the fourth
  digits-8x8  scikit-learn's 8x8 digits (python3-sklearn's digits.csv.gz) as grey PNGs in class folders, no split

The four vendors are the same concept drawn by four design teams, matched by code point through Unicode's
emoji-test.txt: Google's Noto Color Emoji (the font's CBDT bitmaps), Twitter's Twemoji (the COLR layers of Mozilla's
Twemoji font that firefox-esr ships, drawn with cairo), EmojiOne 2 (ruby-gemojione's PNGs) and the glossy
emoji-cheat-sheet drawings of emojify.js (libjs-emojify's PNGs, named by short name). The picture packages are
fetched with `apt-get download` and unpacked under OUT/.pkgs (firefox-esr only for its one font file), so nothing is
installed for them; the Python modules this script imports come from Debian's python3-* packages (mk/transfer-data.mk
installs them). Every picture is a PNG, RGB, transparent areas composited onto white, at its vendor's natural size;
the trainer resizes. Each set gets a SOURCES.txt (packages, versions, licences, counts); --check writes contact sheets
and the raw-pixel logistic-regression baseline to OUT/checks/.

Usage: transfer_data.py --out artifacts/data [--test-vendor twemoji] [--check] [SET ...]
"""
import argparse
import collections
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import warnings

VENDORS = {
    # name: (package, the files it needs, pixel size, description, licence of the pictures)
    "noto": ("fonts-noto-color-emoji", ["./usr/share/fonts/truetype/noto/NotoColorEmoji.ttf"], 136,
             "Google Noto Color Emoji (the font's CBDT bitmaps, 136x128 padded to 136x136)",
             "SIL OFL 1.1 (font), Apache-2.0 (images), per the package's copyright file"),
    "twemoji": ("firefox-esr", ["./usr/lib/firefox-esr/fonts/TwemojiMozilla.ttf"], 72,
                "Twitter Twemoji (the COLR/CPAL layers of Mozilla's Twemoji font 0.7.0, drawn with cairo at 72x72)",
                "CC-BY-4.0 (Twemoji art), Apache-2.0 (Mozilla's font build); firefox-esr's copyright file does not list it"),
    "emojione": ("ruby-gemojione", ["./usr/share/rubygems-integration/all/gems/gemojione-3.3.0/"], 64,
                 "EmojiOne 2 (ruby-gemojione's 64x64 PNGs)",
                 "CC-BY-SA-4.0 (assets), per the package's copyright file"),
    "emojify": ("libjs-emojify", ["./usr/share/javascript/emojify.js/images/emoji/"], 64,
                "emojify.js's emoji-cheat-sheet drawings (64x64 PNGs, named by short name; glossy, Apple-like style)",
                "Expat, per the package's copyright file (the drawings look like Apple's; fine for a local bench, do not redistribute)"),
}
UNICODE = ("unicode-data", ["./usr/share/unicode/emoji/emoji-test.txt"])
SKIN_TONES = set(range(0x1F3FB, 0x1F400))
VS16, ZWJ = 0xFE0F, 0x200D

# emoji-10: Unicode emoji subgroups (emoji-test.txt) merged into 10 classes of animals, plants, food and drink.
# Crabs, lobsters and squid are food in Unicode but drawn as the animals. Reptiles, the frog and dishware are left out.
FINE_CLASSES = {
    "mammal": ["animal-mammal"],
    "bird": ["animal-bird"],
    "sea-animal": ["animal-marine", "food-marine"],
    "bug": ["animal-bug"],
    "flower": ["plant-flower"],
    "plant": ["plant-other"],
    "fruit": ["food-fruit"],
    "vegetable": ["food-vegetable"],
    "prepared-food": ["food-prepared", "food-asian", "food-sweet"],
    "drink": ["drink"],
}
# emoji-9: the Unicode groups but 'Component' (skin tones and hair pieces alone).
BROAD_CLASSES = {
    "smileys-emotion": "Smileys & Emotion", "people-body": "People & Body", "animals-nature": "Animals & Nature",
    "food-drink": "Food & Drink", "travel-places": "Travel & Places", "activities": "Activities",
    "objects": "Objects", "symbols": "Symbols", "flags": "Flags",
}
# emojify.js names that python3-emoji's aliases miss but that are plain emoji.
EMOJIFY_EXTRA = {"donut": "\U0001F369"}


def die(message):
    print(f"transfer-data: {message}", file=sys.stderr)
    sys.exit(1)


class Packages:
    """Fetches Debian packages with `apt-get download` and unpacks the needed files under OUT/.pkgs/<package>."""

    def __init__(self, root):
        self.root = root
        os.makedirs(root, exist_ok=True)

    def path(self, package, files):
        home = os.path.join(self.root, package)
        stamp = os.path.join(home, ".version")
        if not os.path.exists(stamp):
            self._fetch(package, files, home)
        return home

    def version(self, package):
        with open(os.path.join(self.root, package, ".version")) as f:
            return f.read().strip()

    def _fetch(self, package, files, home):
        with tempfile.TemporaryDirectory(dir=self.root) as tmp:
            if not self._download(package, tmp):
                if os.geteuid() == 0:
                    print("transfer-data: apt-get update (the package lists seem stale)", flush=True)
                    subprocess.run(["apt-get", "update", "-q"], check=False, stdout=subprocess.DEVNULL)
                if not self._download(package, tmp):
                    die(f"cannot download the Debian package {package}; run 'apt-get update' as root, then again")
            deb = os.path.join(tmp, next(n for n in os.listdir(tmp) if n.endswith(".deb")))
            version = subprocess.run(["dpkg-deb", "-f", deb, "Version"], check=True, capture_output=True,
                                     text=True).stdout.strip()
            shutil.rmtree(home, ignore_errors=True)
            os.makedirs(home)
            # Only the files needed (firefox-esr is 80 MB for one 1.5 MB font), plus the package's copyright file.
            wanted = files + [f"./usr/share/doc/{package}/copyright"]
            tar = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", deb], stdout=subprocess.PIPE)
            with tarfile.open(fileobj=tar.stdout, mode="r|") as archive:
                for member in archive:
                    if (member.isfile() or member.isdir()) and any(member.name.startswith(w) for w in wanted):
                        archive.extract(member, home, set_attrs=False)
            if tar.wait() != 0 or not all(os.path.exists(os.path.join(home, f)) for f in files):
                die(f"{package} {version} does not hold {', '.join(files)}")
            with open(os.path.join(home, ".version"), "w") as f:
                f.write(version + "\n")
            print(f"transfer-data: {package} {version} unpacked", flush=True)

    @staticmethod
    def _download(package, into):
        done = subprocess.run(["apt-get", "download", "-q", package], cwd=into, capture_output=True, text=True)
        return done.returncode == 0 and any(n.endswith(".deb") for n in os.listdir(into))


class Emoji:
    """One fully-qualified emoji of emoji-test.txt: code points, group, subgroup, name."""

    def __init__(self, codepoints, group, subgroup, name):
        self.codepoints, self.group, self.subgroup, self.name = codepoints, group, subgroup, name

    @property
    def key(self):
        return key_of(self.codepoints)

    @property
    def slug(self):
        return "-".join(f"{c:x}" for c in self.key)


def key_of(codepoints):
    """The join key across vendors: the code points without VS16, which vendors spell either way."""
    return tuple(c for c in codepoints if c != VS16)


def read_emoji_test(path):
    emoji, group, subgroup = [], None, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("# group:"):
                group = line.split(":", 1)[1].strip()
            elif line.startswith("# subgroup:"):
                subgroup = line.split(":", 1)[1].strip()
            elif line.strip() and not line.startswith("#"):
                fields, _, comment = line.partition("#")
                points, status = (p.strip() for p in fields.split(";"))
                if status != "fully-qualified":
                    continue
                codepoints = tuple(int(p, 16) for p in points.split())
                # Skin-tone variants are the same drawing recoloured five times: one (the default) is kept.
                if group == "Component" or SKIN_TONES & set(codepoints):
                    continue
                name = comment.strip().split(" ", 2)[-1]
                emoji.append(Emoji(codepoints, group, subgroup, name))
    return emoji


def on_white(image):
    from PIL import Image
    image = image.convert("RGBA")
    canvas = Image.new("RGBA", image.size, (255, 255, 255, 255))
    canvas.alpha_composite(image)
    return canvas.convert("RGB")


def font_sequences(font):
    """Maps key_of(code points) to the glyph a font draws for it: cmap for one code point, GSUB ligatures for more."""
    cmap = font.getBestCmap()
    by_glyph = {}
    for cp, glyph in cmap.items():
        by_glyph.setdefault(glyph, cp)
    table = {key_of((cp,)): glyph for cp, glyph in cmap.items() if cp != VS16}
    if "GSUB" not in font:
        return table
    for lookup in font["GSUB"].table.LookupList.Lookup:
        for sub in lookup.SubTable:
            if lookup.LookupType == 7:
                sub = sub.ExtSubTable
            if not hasattr(sub, "ligatures"):
                continue
            for first, ligatures in sub.ligatures.items():
                for ligature in ligatures:
                    parts = [first] + list(ligature.Component)
                    if all(p in by_glyph for p in parts):
                        table.setdefault(key_of(tuple(by_glyph[p] for p in parts)), ligature.LigGlyph)
    return table


class NotoVendor:
    def __init__(self, path):
        from fontTools.ttLib import TTFont
        self.font = TTFont(path)
        self.glyphs = font_sequences(self.font)
        self.strike = self.font["CBDT"].strikeData[0]

    def image(self, emoji):
        from PIL import Image
        glyph = self.glyphs.get(emoji.key)
        bitmap = self.strike.get(glyph) if glyph else None
        if bitmap is None:
            return None
        picture = on_white(Image.open(io.BytesIO(bitmap.imageData)))
        side = max(picture.size)
        square = Image.new("RGB", (side, side), (255, 255, 255))
        square.paste(picture, ((side - picture.width) // 2, (side - picture.height) // 2))
        return square


class TwemojiVendor:
    """Draws the COLR v0 layers of Mozilla's Twemoji font with cairo (Pillow's FreeType path draws nothing for them)."""

    def __init__(self, path, size):
        from fontTools.ttLib import TTFont
        self.font = TTFont(path)
        self.glyphs = font_sequences(self.font)
        self.glyph_set = self.font.getGlyphSet()
        self.layers = self.font["COLR"].ColorLayers
        self.palette = self.font["CPAL"].palettes[0]
        os2 = self.font["OS/2"]
        self.top, self.bottom = os2.sTypoAscender, os2.sTypoDescender  # the em box: 448 and -64 in 512 units
        self.size = size

    def image(self, emoji):
        import cairo
        from fontTools.pens.cairoPen import CairoPen
        from PIL import Image
        glyph = self.glyphs.get(emoji.key)
        if glyph is None or glyph not in self.layers:
            return None
        surface = cairo.ImageSurface(cairo.FORMAT_ARGB32, self.size, self.size)
        context = cairo.Context(surface)
        context.set_source_rgb(1, 1, 1)
        context.paint()
        scale = self.size / (self.top - self.bottom)
        context.transform(cairo.Matrix(scale, 0, 0, -scale, 0, self.top * scale))
        for layer in self.layers[glyph]:
            colour = self.palette[layer.colorID] if layer.colorID != 0xFFFF else None
            context.new_path()
            self.glyph_set[layer.name].draw(CairoPen(self.glyph_set, context))
            if colour is None:
                context.set_source_rgb(0, 0, 0)
            else:
                context.set_source_rgba(colour.red / 255, colour.green / 255, colour.blue / 255, colour.alpha / 255)
            context.set_fill_rule(cairo.FILL_RULE_WINDING)
            context.fill()
        surface.flush()
        # cairo's ARGB32 is premultiplied BGRA in memory; the background is opaque white, so no alpha is left.
        return Image.frombuffer("RGBA", (self.size, self.size), bytes(surface.get_data()), "raw", "BGRA", 0, 1).convert("RGB")


class FileVendor:
    """A vendor whose pictures are PNG files, found through a key -> file map."""

    def __init__(self, files):
        self.files = files

    def image(self, emoji):
        from PIL import Image
        path = self.files.get(emoji.key)
        if path is None:
            return None
        with Image.open(path) as picture:
            return on_white(picture)


def emojione_files(root):
    gem = os.path.join(root, "usr/share/rubygems-integration/all/gems/gemojione-3.3.0")
    with open(os.path.join(gem, "config/index.json"), encoding="utf-8") as f:
        index = json.load(f)
    files = {}
    for entry in index.values():
        path = os.path.join(gem, "assets/png", entry["unicode"] + ".png")
        if os.path.exists(path):
            for spelling in [entry["unicode"]] + entry.get("unicode_alternates", []):
                files.setdefault(key_of(tuple(int(p, 16) for p in spelling.split("-"))), path)
    return files


def emojify_files(root):
    import emoji as emoji_names
    folder = os.path.join(root, "usr/share/javascript/emojify.js/images/emoji")
    # emojify.js names its files by GitHub's short names ('cat' is the cat's face): those aliases win over the CLDR
    # names, where ':cat:' is the whole cat.
    aliases = dict(EMOJIFY_EXTRA)
    for field in ("alias", "en"):
        for text, data in emoji_names.EMOJI_DATA.items():
            for alias in data.get(field, []) if field == "alias" else [data[field]]:
                aliases.setdefault(alias.strip(":"), text)
    files = {}
    for name in sorted(os.listdir(folder)):
        text = aliases.get(name[:-4]) if name.endswith(".png") else None
        if text is not None:  # GitHub's own (octocat, shipit, rage1...) are not emoji
            files.setdefault(key_of(tuple(ord(c) for c in text)), os.path.join(folder, name))
    return files


def load_vendors(packages):
    vendors = {}
    for name, (package, files, size, _, _) in VENDORS.items():
        home = packages.path(package, files)
        if name == "noto":
            vendors[name] = NotoVendor(os.path.join(home, files[0]))
        elif name == "twemoji":
            vendors[name] = TwemojiVendor(os.path.join(home, files[0]), size)
        elif name == "emojione":
            vendors[name] = FileVendor(emojione_files(home))
        else:
            vendors[name] = FileVendor(emojify_files(home))
    return vendors


def is_blank(image):
    low, high = zip(*image.getextrema())
    return max(high) - min(low) < 8


def write_emoji_set(out, name, classes, vendors, emoji, test_vendor, packages, unicode_version):
    """Writes OUT/<name>/{train,test}/<class>/<vendor>-<code points>.png; classes maps an Emoji to a class or None."""
    root = partial(out, name)
    counts = collections.defaultdict(collections.Counter)  # vendor -> class -> images
    dropped = collections.Counter()
    for vendor_name, vendor in vendors.items():
        split = "test" if vendor_name == test_vendor else "train"
        seen = {}
        for item in emoji:
            label = classes(item)
            if label is None:
                continue
            image = vendor.image(item)
            if image is None:
                continue
            digest = hashlib.sha256(image.tobytes() + repr(image.size).encode()).hexdigest()
            # One picture per vendor: an alias drawn twice (or two flags sharing a drawing) would be a duplicate.
            if is_blank(image) or digest in seen:
                dropped[vendor_name] += 1
                continue
            seen[digest] = item
            folder = os.path.join(root, split, label)
            os.makedirs(folder, exist_ok=True)
            image.save(os.path.join(folder, f"{vendor_name}-{item.slug}.png"))
            counts[vendor_name][label] += 1
    labels = sorted({label for c in counts.values() for label in c})
    with open(os.path.join(root, "SOURCES.txt"), "w", encoding="utf-8") as f:
        f.write(f"{name}: emoji drawn by four vendors, grouped by Unicode's emoji-test.txt ({unicode_version}).\n")
        f.write(f"train/ = {', '.join(v for v in vendors if v != test_vendor)}; test/ = {test_vendor}.\n")
        f.write("File names: <vendor>-<code points without FE0F>.png. Skin-tone variants left out; one picture per "
                "drawing within a vendor.\n\nVendors (Debian bookworm packages):\n")
        for vendor_name, (package, _, _, description, licence) in VENDORS.items():
            f.write(f"- {vendor_name}: {description}; {package} {packages.version(package)}; {licence}\n")
        f.write(f"- class names: {UNICODE[0]} {packages.version(UNICODE[0])} (emoji-test.txt), "
                "python3-emoji (emojify short names); Unicode licence\n\n")
        f.write("Images per class and vendor:\n")
        f.write(f"{'class':18}" + "".join(f"{v:>10}" for v in vendors) + "\n")
        for label in labels:
            f.write(f"{label:18}" + "".join(f"{counts[v][label]:>10}" for v in vendors) + "\n")
        f.write(f"{'total':18}" + "".join(f"{sum(counts[v].values()):>10}" for v in vendors) + "\n")
        f.write(f"train/: {sum(sum(counts[v].values()) for v in vendors if v != test_vendor)} images, "
                f"test/: {sum(counts[test_vendor].values())}.\n")
        if dropped:
            f.write("Left out as blank or a repeat of the same vendor's picture: "
                    + ", ".join(f"{v} {n}" for v, n in dropped.items()) + "\n")
    with open(os.path.join(root, "SOURCES.txt"), encoding="utf-8") as f:
        print(f.read())
    complete(out, name)


def partial(out, name):
    """A set is written into OUT/.<name>.partial and renamed when whole, so a stopped run leaves no half set behind."""
    root = os.path.join(out, f".{name}.partial")
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    return root


def complete(out, name):
    shutil.rmtree(os.path.join(out, name), ignore_errors=True)
    os.replace(os.path.join(out, f".{name}.partial"), os.path.join(out, name))


def write_digits(out):
    """scikit-learn's 8x8 digits (1,797 images, values 0-16) as grey PNGs, 0-16 scaled to 0-255, in class folders."""
    import numpy as np
    from PIL import Image
    import sklearn
    source = os.path.join(os.path.dirname(sklearn.__file__), "datasets", "data", "digits.csv.gz")
    with gzip.open(source, "rt") as f:
        table = np.loadtxt(f, delimiter=",")
    root = partial(out, "digits-8x8")
    for index, row in enumerate(table):
        pixels = np.rint(row[:64].reshape(8, 8) * 255.0 / 16.0).astype(np.uint8)
        folder = os.path.join(root, str(int(row[64])))
        os.makedirs(folder, exist_ok=True)
        Image.fromarray(pixels, "L").save(os.path.join(folder, f"{index:04d}.png"))
    package = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "python3-sklearn"], capture_output=True,
                             text=True).stdout or "unknown"
    with open(os.path.join(root, "SOURCES.txt"), "w", encoding="utf-8") as f:
        f.write(f"digits-8x8: {len(table)} 8x8 grey digits, 0-16 scaled to 0-255 (rounded), from {source}\n"
                f"(Debian python3-sklearn {package}): the test set of UCI's Optical Recognition of Handwritten Digits\n"
                "(CC-BY-4.0), as scikit-learn ships it (BSD-3-Clause). Folders 0-9, files <row>.png.\n"
                "No train/test split: train with --test-fraction 0.2 --split-seed 0.\n")
    complete(out, "digits-8x8")
    print(f"digits-8x8: {len(table)} images, {sorted(collections.Counter(int(r[64]) for r in table).items())}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="artifacts/data")
    parser.add_argument("--test-vendor", default="twemoji", choices=list(VENDORS))
    parser.add_argument("--check", action="store_true", help="also contact sheets, duplicate checks, baselines")
    parser.add_argument("sets", nargs="*", default=["emoji-10", "emoji-9", "digits-8x8"])
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # progress reaches a log as it happens
    started = time.monotonic()
    unknown = set(args.sets) - {"emoji-10", "emoji-9", "digits-8x8"}
    if unknown:
        die(f"unknown set {', '.join(sorted(unknown))}; the sets are emoji-10, emoji-9, digits-8x8")
    os.makedirs(args.out, exist_ok=True)
    if "digits-8x8" in args.sets:
        write_digits(args.out)
    emoji_sets = [s for s in args.sets if s.startswith("emoji-")]
    if emoji_sets:
        packages = Packages(os.path.join(args.out, ".pkgs"))
        home = packages.path(*UNICODE)
        emoji = read_emoji_test(os.path.join(home, UNICODE[1][0]))
        unicode_version = f"Unicode emoji {packages.version(UNICODE[0]).split('-')[0]}"
        vendors = load_vendors(packages)
        subgroup_class = {s: c for c, subgroups in FINE_CLASSES.items() for s in subgroups}
        group_class = {g: c for c, g in BROAD_CLASSES.items()}
        if "emoji-10" in emoji_sets:
            write_emoji_set(args.out, "emoji-10", lambda e: subgroup_class.get(e.subgroup), vendors, emoji,
                            args.test_vendor, packages, unicode_version)
        if "emoji-9" in emoji_sets:
            write_emoji_set(args.out, "emoji-9", lambda e: group_class.get(e.group), vendors, emoji,
                            args.test_vendor, packages, unicode_version)
    print(f"transfer-data: sets written in {time.monotonic() - started:.0f} s", flush=True)
    if args.check:
        check(args.out, args.sets)
        print(f"transfer-data: checked in {time.monotonic() - started:.0f} s in all")


def list_images(root):
    """(split, class, path) of every PNG under a set, split '' for a set without train/ and test/."""
    splits = [s for s in ("train", "test") if os.path.isdir(os.path.join(root, s))] or [""]
    found = []
    for split in splits:
        for label in sorted(os.listdir(os.path.join(root, split))):
            folder = os.path.join(root, split, label)
            if os.path.isdir(folder):
                found += [(split, label, os.path.join(folder, n)) for n in sorted(os.listdir(folder)) if n.endswith(".png")]
    return found


def check(out, sets):
    """Duplicates within a split and between train and test, a contact sheet per set, and a raw-pixel baseline:
    scikit-learn's logistic regression on 32x32 RGB (digits: the 64 raw values) standardised."""
    import numpy as np
    from PIL import Image, ImageDraw
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler
    checks = os.path.join(out, "checks")
    os.makedirs(checks, exist_ok=True)
    report = []
    for name in sets:
        images = list_images(os.path.join(out, name))
        files, pixels = collections.defaultdict(dict), collections.defaultdict(dict)
        problems, first = [], len(report)
        for split, label, path in images:
            with open(path, "rb") as f:
                data = f.read()
            with Image.open(path) as picture:
                picture.load()
            if name != "digits-8x8" and (picture.mode != "RGB" or is_blank(picture)):
                problems.append(f"{path}: mode {picture.mode}{', blank' if is_blank(picture) else ''}")
            for table, digest in ((files, hashlib.sha256(data).hexdigest()),
                                  (pixels, hashlib.sha256(picture.tobytes() + repr(picture.size).encode()).hexdigest())):
                if digest in table[split]:
                    problems.append(f"{path} repeats {table[split][digest]}")
                table[split][digest] = path
        if "train" in pixels and "test" in pixels:
            problems += [f"{p} (test) is identical to {pixels['train'][d]} (train)"
                         for d, p in pixels["test"].items() if d in pixels["train"]]
        report.append(f"{name}: {len(images)} images; " + ("no duplicate within a split, none shared by train and test"
                                                          if not problems else f"{len(problems)} problems:"))
        report += [f"  {p}" for p in problems[:20]]
        report.append(f"  {baseline(name, images, np, Image, LogisticRegression, StandardScaler, train_test_split)}")
        contact_sheet(name, images, os.path.join(checks, f"{name}.png"), Image, ImageDraw)
        print("\n".join(report[first:]), flush=True)
    with open(os.path.join(checks, "checks.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(report) + "\n")


def baseline(name, images, np, Image, LogisticRegression, StandardScaler, train_test_split):
    def features(path):
        with Image.open(path) as picture:
            if name == "digits-8x8":
                return np.asarray(picture, dtype=np.float32).ravel()
            return np.asarray(picture.convert("RGB").resize((32, 32), Image.BILINEAR), dtype=np.float32).ravel() / 255
    x = np.stack([features(p) for _, _, p in images])
    labels = sorted({label for _, label, _ in images})
    y = np.array([labels.index(label) for _, label, _ in images])
    split = np.array([s for s, _, _ in images])
    if (split == "").all():
        train, test = train_test_split(np.arange(len(y)), test_size=0.2, stratify=y, random_state=0)
        how = "stratified 80/20 split, seed 0"
    else:
        train, test = np.flatnonzero(split == "train"), np.flatnonzero(split == "test")
        how = "train/ vs test/"
    scaler = StandardScaler().fit(x[train])
    # lbfgs, capped at 500 iterations: on 3,072 features it costs minutes on a busy 2-core machine, and the test
    # accuracy settles long before the training loss does.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LogisticRegression(max_iter=500).fit(scaler.transform(x[train]), y[train])
    accuracy = (model.predict(scaler.transform(x[test])) == y[test]).mean()
    majority = np.bincount(y[test]).max() / len(test)
    return (f"raw-pixel logistic regression ({'64 values' if name == 'digits-8x8' else '32x32 RGB'}, {how}, "
            f"{int(model.n_iter_.max())} lbfgs iterations): {accuracy:.1%} on {len(test)} test images "
            f"({len(train)} train); majority class {majority:.1%}")


def contact_sheet(name, images, path, Image, ImageDraw):
    """A row per class: up to 4 pictures of each vendor (train ones first), 48x48 each; digits: 12 per class."""
    cell, per = 52, 4
    rows = collections.defaultdict(lambda: collections.defaultdict(list))
    for split, label, p in images:
        rows[label][os.path.basename(p).split("-")[0] if name != "digits-8x8" else ""].append(p)
    groups = sorted({g for r in rows.values() for g in r}, key=lambda g: (g == "twemoji", g))
    per = 12 if groups == [""] else per
    sheet = Image.new("RGB", (110 + cell * per * len(groups), 20 + cell * len(rows)), (200, 200, 200))
    draw = ImageDraw.Draw(sheet)
    for g, group in enumerate(groups):
        draw.text((110 + g * per * cell, 4), group, fill=(0, 0, 0))
    for r, label in enumerate(sorted(rows)):
        y = 20 + r * cell
        draw.text((4, y + 20), label, fill=(0, 0, 0))
        for g, group in enumerate(groups):
            for i, p in enumerate(rows[label][group][:per]):
                with Image.open(p) as picture:
                    thumb = picture.convert("RGB").resize((48, 48), Image.NEAREST if name == "digits-8x8" else Image.BILINEAR)
                sheet.paste(thumb, (110 + (g * per + i) * cell, y))
    sheet.save(path)


if __name__ == "__main__":
    main()
