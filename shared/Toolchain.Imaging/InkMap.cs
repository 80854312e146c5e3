using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Toolchain.Imaging;

/// <summary>
/// A grey picture as ink amounts in [0,1] (0 = paper, 1 = full ink), row-major: the working form between decoding and
/// MNIST framing.
/// </summary>
internal sealed class InkMap
{
    /// <summary>Working images are box-averaged down to this longer side: a digit only ever ends up 20 pixels tall.</summary>
    public const int MaxWorkingSide = 2048;

    public InkMap(int width, int height, float[] values)
    {
        Width = width;
        Height = height;
        Values = values;
    }

    public int Width { get; }
    public int Height { get; }
    public float[] Values { get; }

    /// <summary>
    /// Paper brightness in [0,1] with alpha composited over a backdrop (see <see cref="Backdrop"/>), box-averaged by an
    /// integer factor so the longer side is at most <see cref="MaxWorkingSide"/>.
    /// </summary>
    public static InkMap Brightness(Image<La16> image)
    {
        var backdrop = Backdrop(image);
        var factor = (Math.Max(image.Width, image.Height) + MaxWorkingSide - 1) / MaxWorkingSide;
        var w = (image.Width + factor - 1) / factor;
        var h = (image.Height + factor - 1) / factor;
        var sums = new float[w * h];
        var counts = new int[w * h];
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                var outRow = (y / factor) * w;
                for (var x = 0; x < row.Length; x++)
                {
                    var p = row[x];
                    // Transparent pixels are paper, whatever colour they store.
                    var brightness = ((p.L * p.A) + (backdrop * (255 - p.A))) / (255f * 255f);
                    sums[outRow + (x / factor)] += brightness;
                    counts[outRow + (x / factor)]++;
                }
            }
        });
        for (var i = 0; i < sums.Length; i++)
        {
            sums[i] /= counts[i];
        }
        return new InkMap(w, h, sums);
    }

    /// <summary>
    /// What transparent pixels are composited over, 0..255: white (ink on paper), except when the background is
    /// transparent and what is drawn on it is light strokes, as canvas exports of white strokes are; over white those
    /// would vanish, so they go over black.
    /// </summary>
    private static float Backdrop(Image<La16> image)
    {
        var ring = Math.Max(1, Math.Min(image.Width, image.Height) / 50);
        double borderAlpha = 0, borderCount = 0, drawnLight = 0, drawnAlpha = 0;
        long opaque = 0;
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                var edgeRow = y < ring || y >= rows.Height - ring;
                for (var x = 0; x < row.Length; x++)
                {
                    var p = row[x];
                    if (edgeRow || x < ring || x >= row.Length - ring)
                    {
                        borderAlpha += p.A;
                        borderCount++;
                    }
                    drawnLight += (double)p.L * p.A;
                    drawnAlpha += p.A;
                    opaque += p.A > 127 ? 1 : 0;
                }
            }
        });
        var transparentBackground = borderAlpha < 127.5 * borderCount;
        var lightDrawing = drawnAlpha > 0 && drawnLight / drawnAlpha > 127.5;
        // Strokes cover a small part of the picture; light paper with a transparent margin (a cut-out scan) covers most.
        var strokes = opaque < (long)image.Width * image.Height / 2;
        return transparentBackground && lightDrawing && strokes ? 0f : 255f;
    }

    /// <summary>Median of the outer ring (2% of the shorter side, at least one pixel): the paper, for any sane photo or scan.</summary>
    public float BorderMedian()
    {
        var ring = Math.Max(1, Math.Min(Width, Height) / 50);
        var border = new List<float>(2 * ring * (Width + Height));
        for (var y = 0; y < Height; y++)
        {
            var edgeRow = y < ring || y >= Height - ring;
            for (var x = 0; x < Width; x++)
            {
                if (edgeRow || x < ring || x >= Width - ring)
                {
                    border.Add(Values[(y * Width) + x]);
                }
            }
        }
        border.Sort();
        return border[border.Count / 2];
    }

    /// <summary>
    /// Turns brightness into ink: inverts dark-on-light pictures (bright border) so ink is high, as in MNIST.
    /// Returns whether it inverted.
    /// </summary>
    public bool ToInk()
    {
        var invert = BorderMedian() >= 0.5f;
        if (invert)
        {
            for (var i = 0; i < Values.Length; i++)
            {
                Values[i] = 1 - Values[i];
            }
        }
        return invert;
    }

    /// <summary>
    /// Stretches contrast so the paper becomes 0 and solid ink 1, and zeroes the faint rest (JPEG ringing, paper
    /// texture, shadows) that would otherwise widen the digit's bounding box. Returns false when there is no ink.
    /// </summary>
    public bool Stretch(float noiseFloor = 0.2f, float minContrast = 0.15f)
    {
        var paper = BorderMedian();
        var max = 0f;
        foreach (var v in Values)
        {
            max = MathF.Max(max, v);
        }
        if (max - paper < minContrast)
        {
            return false;
        }
        // Solid ink is the median of clearly inked pixels, so one hot pixel does not set the scale.
        var half = paper + ((max - paper) / 2);
        var inked = new List<float>();
        foreach (var v in Values)
        {
            if (v > half)
            {
                inked.Add(v);
            }
        }
        inked.Sort();
        var solid = inked[inked.Count / 2];
        var scale = 1 / MathF.Max(solid - paper, 1e-6f);
        var any = false;
        for (var i = 0; i < Values.Length; i++)
        {
            var v = Math.Clamp((Values[i] - paper) * scale, 0, 1);
            v = MathF.Max(0, (v - noiseFloor) / (1 - noiseFloor));
            Values[i] = v;
            any |= v > 0;
        }
        return any;
    }
}
