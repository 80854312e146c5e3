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
