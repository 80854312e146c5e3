using static TorchSharp.torch;

namespace Toolchain.Trainer.Transfer;

/// <summary>Where a training epoch takes its batches from: inputs and class ids of the examples an index names.</summary>
internal interface IBatchSource
{
    /// <summary>Training examples.</summary>
    int Count { get; }

    /// <summary>The inputs and targets of the examples <paramref name="index"/> (int64, on the CPU) names, on the training device.</summary>
    (Tensor X, Tensor Y) Take(Tensor index, Generator random);
}

/// <summary>
/// Examples held as one tensor of <see cref="Views"/> × N rows (view-major, as <see cref="FeatureSplit"/> stores them):
/// each example of a batch is taken as one of its views at random, so cached augmented copies act as augmentation.
/// </summary>
internal sealed class CachedRows(Tensor x, Tensor y, int views) : IBatchSource, IDisposable
{
    /// <summary>All rows, [Views·N, ...], on the training device: float32 features, or float16 activations.</summary>
    public Tensor X { get; } = x;

    /// <summary>Class ids, [N] int64, on the training device.</summary>
    public Tensor Y { get; } = y;

    /// <summary>Views per example.</summary>
    public int Views { get; } = views;

    /// <inheritdoc />
    public int Count => (int)Y.shape[0];

    /// <inheritdoc />
    public (Tensor X, Tensor Y) Take(Tensor index, Generator random)
    {
        var rows = Views == 1 ? index : index.add(randint(Views, index.shape, dtype: int64, generator: random).mul_(Count));
        return (X.index_select(0, rows.to(X.device)).to(float32), Y.index_select(0, index.to(Y.device)));
    }

    /// <summary>View 0 of every example: the pictures as they are, for evaluation.</summary>
    public (Tensor X, Tensor Y) Plain() => (X.narrow(0, 0, Count), Y);

    /// <summary>
    /// Rows of a <see cref="FeatureSplit"/>, as flat vectors when <paramref name="flat"/>: its first <paramref name="views"/>
    /// views (all when null) of the examples <paramref name="keep"/> names (all when null).
    /// </summary>
    public static CachedRows From(FeatureSplit split, Device device, int[]? keep = null, int? views = null, bool flat = false)
    {
        using var scope = NewDisposeScope();
        int useViews = Math.Min(views ?? split.Views, split.Views);
        long[] shape = flat ? [(long)split.Views * split.Count, split.Width] : [(long)split.Views * split.Count, .. split.Shape];
        var x = empty(shape, float16);
        x.bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(split.Values.AsSpan());
        x = x.narrow(0, 0, (long)useViews * split.Count);
        var y = tensor(split.Labels, int64);
        var k = keep is null ? arange(split.Count, dtype: int64) : tensor(keep, int64);
        var rows = cat(Enumerable.Range(0, useViews).Select(v => k.add((long)v * split.Count)).ToArray());
        // index_select copies: the tensor owns its rows, and the split's array can go. Flat features are small and
        // trained on at every step: float32 once. A stage's activations stay half precision until a batch is taken.
        x = x.index_select(0, rows);
        if (flat)
        {
            x = x.to(float32);
        }
        y = y.index_select(0, k);
        return new CachedRows(x.to(device).MoveToOuterDisposeScope(), y.to(device).MoveToOuterDisposeScope(), useViews);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        X.Dispose();
        Y.Dispose();
    }
}

/// <summary>
/// Decoded pictures (C×H×W bytes each) for fine-tuning the whole backbone: every batch is augmented afresh (a random
/// view of each picture by <see cref="ViewAugmentation"/>, or the picture itself half the time), so nothing is cached
/// beyond the pixels. Inputs are pixel values 0–255 as float32, as the trainable part's preprocessing takes them.
/// </summary>
internal sealed class PixelRows(byte[][] pixels, int[] labels, long[] shape, Func<byte[], int, int, byte[]>? augment) : IBatchSource
{
    /// <inheritdoc />
    public int Count => labels.Length;

    /// <inheritdoc />
    public (Tensor X, Tensor Y) Take(Tensor index, Generator random)
    {
        var rows = index.data<long>().ToArray();
        // One draw per example from the run's generator keeps the batches reproducible from the seed.
        using var draws = randint(1 << 30, [rows.Length], dtype: int64, generator: random);
        var views = draws.data<long>().ToArray();
        int length = pixels[0].Length;
        var batch = new byte[rows.Length * length];
        Parallel.For(0, rows.Length, k =>
        {
            var image = pixels[rows[k]];
            var view = augment is null || views[k] % 2 == 0 ? image : augment(image, (int)(views[k] % 1_000_000) + 1, (int)rows[k]);
            view.CopyTo(batch, (long)k * length);
        });
        using var bytes = tensor(batch, [rows.Length, .. shape]);
        return (bytes.to(float32), tensor(rows.Select(r => (long)labels[r]).ToArray()));
    }

    /// <summary>All pictures in order, uint8, for evaluation (which converts them chunk by chunk).</summary>
    public (Tensor X, Tensor Y) Plain() =>
        (tensor(pixels.SelectMany(p => p).ToArray(), [pixels.Length, .. shape]), tensor(labels.Select(l => (long)l).ToArray()));
}
