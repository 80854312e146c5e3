using static TorchSharp.torch;

namespace Toolchain.Trainer.Training;

/// <summary>
/// Varies a batch of normalised training images, each image by its own draw: whole-pixel shifts
/// (<see cref="ShiftAugmentation"/>), then one resampling for crop, rotation and flip (affine_grid and grid_sample
/// over the batch), then colour jitter. Everything is whole-batch tensor work, no per-pixel loops; every random number
/// comes from torch's CPU generator, so a run is reproducible from its seed and a resumed run continues the same draws.
/// </summary>
/// <remarks>
/// TorchVision 0.107 has RandomResizedCrop and ColorJitter, but they draw one crop and one set of factors for the
/// whole batch, and RandomResizedCrop takes its numbers from an unseeded System.Random: neither per image nor
/// reproducible, so the few transforms are written here.
/// </remarks>
public sealed class BatchAugmenter
{
    private readonly int _shift;
    private readonly ImageAugmentation _settings;
    private readonly double[] _means;
    private readonly double[] _stds;
    private readonly double _background;

    /// <summary>The augmenter of a run with <paramref name="options"/> on images normalised by <paramref name="means"/> and <paramref name="stds"/>.</summary>
    public BatchAugmenter(TrainingOptions options, double[] means, double[] stds)
    {
        ArgumentNullException.ThrowIfNull(options);
        _shift = options.AugmentShift;
        _settings = options.Augmentation;
        _means = means;
        _stds = stds;
        // What is shifted or rotated in is black for single-channel (MNIST-style) images; for colour it is the mean
        // colour (0 once normalised).
        _background = means.Length == 1 ? -means[0] / stds[0] : 0;
    }

    /// <summary>Whether <see cref="Apply"/> changes anything.</summary>
    public bool IsActive => _shift > 0 || _settings.IsGeometric || _settings.ColourJitter > 0;

    /// <summary>The varied batch ([N,C,H,W], normalised, on any device); the input is left as it is.</summary>
    public Tensor Apply(Tensor images)
    {
        var x = _shift > 0 ? ShiftAugmentation.Apply(images, _shift, _background) : images.alias();
        if (_settings.IsGeometric)
        {
            x = Geometric(x);
        }
        if (_settings.ColourJitter > 0)
        {
            x = Jitter(x);
        }
        return x;
    }

    /// <summary>
    /// Per image: a crop of a random share of the area in [CropScale, 1] and aspect ratio in [3/4, 4/3] at a random
    /// place, rotated by up to ±RotationDegrees and mirrored with probability ½, resampled bilinearly to the input size.
    /// </summary>
    private Tensor Geometric(Tensor x)
    {
        long n = x.shape[0], h = x.shape[2], w = x.shape[3];
        using var u = rand([n, 6], dtype: ScalarType.Float64);
        var area = u[.., 0] * (1 - _settings.CropScale) + _settings.CropScale;
        // Without crops the whole image is kept as it is: no aspect change either.
        var ratio = _settings.CropScale < 1
            ? (u[.., 1] * (Math.Log(4.0 / 3) - Math.Log(3.0 / 4)) + Math.Log(3.0 / 4)).exp()
            : ones(n, dtype: ScalarType.Float64);
        var fw = (area * ratio).sqrt().clamp_max(1);
        var fh = (area / ratio).sqrt().clamp_max(1);
        // The crop's centre, in affine_grid's [-1, 1] coordinates, keeps the crop inside the image.
        var cx = (1 - fw) * (u[.., 2] * 2 - 1);
        var cy = (1 - fh) * (u[.., 3] * 2 - 1);
        var angle = (u[.., 4] * 2 - 1) * (_settings.RotationDegrees * Math.PI / 180);
        var mirror = _settings.Flip ? where(u[.., 5] < 0.5, -1.0, 1.0) : ones(n, dtype: ScalarType.Float64);
        var (cos, sin) = (angle.cos(), angle.sin());
        // Output → input coordinates: crop scale · (pixel-space rotation in normalised units) · mirror, then the centre.
        double hw = (double)h / w, wh = (double)w / h;
        var theta = stack(
        [
            stack([fw * cos * mirror, fw * -sin * hw, cx], 1),
            stack([fh * sin * wh * mirror, fh * cos, cy], 1),
        ], 1).to(x.dtype).to(x.device);
        var grid = nn.functional.affine_grid(theta, [n, x.shape[1], h, w], align_corners: false);
        // Areas from outside the image come in as the background: sample x − background, padded with zeros, and add it back.
        var sampled = nn.functional.grid_sample(x - _background, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false);
        return sampled + _background;
    }

    /// <summary>
    /// Per image, in pixel units [0, 1]: brightness × b, contrast about the image's mean grey × c, and for colour
    /// saturation about each pixel's grey × s, with b, c, s in [1 − j, 1 + j]; clamped to [0, 1] and normalised again.
    /// </summary>
    private Tensor Jitter(Tensor x)
    {
        long n = x.shape[0], c = x.shape[1];
        double j = _settings.ColourJitter;
        using var u = rand([n, 3], dtype: ScalarType.Float32);
        var factors = ((u * 2 - 1) * (float)j + 1).to(x.device).view(n, 3, 1, 1);
        var mean = tensor(_means.Select(v => (float)v).ToArray(), [1, c, 1, 1]).to(x.dtype).to(x.device);
        var std = tensor(_stds.Select(v => (float)v).ToArray(), [1, c, 1, 1]).to(x.dtype).to(x.device);
        var p = x * std + mean;
        p = p * factors[.., 0..1];
        var grey = Grey(p);
        var level = grey.mean([1, 2, 3], keepdim: true);
        p = (p - level) * factors[.., 1..2] + level;
        if (c == 3)
        {
            grey = Grey(p);
            p = (p - grey) * factors[.., 2..3] + grey;
        }
        return (p.clamp(0, 1) - mean) / std;
    }

    /// <summary>ITU-R 601 luma of each pixel ([N,1,H,W]), as torchvision's rgb_to_grayscale; a grey image is its own.</summary>
    private static Tensor Grey(Tensor p) => p.shape[1] == 3
        ? (p[.., 0..1] * 0.299f) + (p[.., 1..2] * 0.587f) + (p[.., 2..3] * 0.114f)
        : p;
}
