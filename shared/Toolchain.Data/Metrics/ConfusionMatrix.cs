namespace Toolchain.Data.Metrics;

/// <summary>
/// Counts of (true class, predicted class) pairs over a fixed set of classes: row = true class, column = predicted.
/// </summary>
public sealed class ConfusionMatrix
{
    private readonly long[,] _counts;

    /// <summary>Creates an empty matrix for <paramref name="classCount"/> classes.</summary>
    public ConfusionMatrix(int classCount)
    {
        if (classCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "a confusion matrix needs at least one class");
        }
        ClassCount = classCount;
        _counts = new long[classCount, classCount];
    }

    /// <summary>Builds a matrix from paired true and predicted class ids.</summary>
    public static ConfusionMatrix From(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted, int classCount)
    {
        if (actual.Length != predicted.Length)
        {
            throw new ArgumentException($"{actual.Length} true labels but {predicted.Length} predictions", nameof(predicted));
        }
        var m = new ConfusionMatrix(classCount);
        for (var i = 0; i < actual.Length; i++)
        {
            m.Add(actual[i], predicted[i]);
        }
        return m;
    }

    /// <summary>Builds a matrix from its counts, row = true class, column = predicted class.</summary>
    public static ConfusionMatrix FromCounts(long[,] counts)
    {
        var n = counts.GetLength(0);
        if (counts.GetLength(1) != n)
        {
            throw new ArgumentException("a confusion matrix must be square", nameof(counts));
        }
        var m = new ConfusionMatrix(n);
        for (var t = 0; t < n; t++)
        {
            for (var p = 0; p < n; p++)
            {
                if (counts[t, p] < 0)
                {
                    throw new ArgumentException("counts cannot be negative", nameof(counts));
                }
                m._counts[t, p] = counts[t, p];
            }
        }
        return m;
    }

    /// <summary>Number of classes (rows and columns).</summary>
    public int ClassCount { get; }

    /// <summary>How many examples of class <paramref name="actual"/> were predicted as <paramref name="predicted"/>.</summary>
    public long this[int actual, int predicted] => _counts[actual, predicted];

    /// <summary>Records one example.</summary>
    public void Add(int actual, int predicted)
    {
        if ((uint)actual >= (uint)ClassCount)
        {
            throw new ArgumentOutOfRangeException(nameof(actual), actual, $"class id must be in [0, {ClassCount})");
        }
        if ((uint)predicted >= (uint)ClassCount)
        {
            throw new ArgumentOutOfRangeException(nameof(predicted), predicted, $"class id must be in [0, {ClassCount})");
        }
        _counts[actual, predicted]++;
    }

    /// <summary>All examples recorded.</summary>
    public long Total
    {
        get
        {
            long sum = 0;
            foreach (var c in _counts)
            {
                sum += c;
            }
            return sum;
        }
    }

    /// <summary>Examples on the diagonal.</summary>
    public long Correct
    {
        get
        {
            long sum = 0;
            for (var i = 0; i < ClassCount; i++)
            {
                sum += _counts[i, i];
            }
            return sum;
        }
    }

    /// <summary>Fraction predicted correctly; 0 for an empty matrix.</summary>
    public double Accuracy => Total == 0 ? 0 : (double)Correct / Total;

    /// <summary>True examples of class <paramref name="c"/> (its row sum), scikit-learn's "support".</summary>
    public long Support(int c)
    {
        long sum = 0;
        for (var p = 0; p < ClassCount; p++)
        {
            sum += _counts[c, p];
        }
        return sum;
    }

    /// <summary>Examples predicted as class <paramref name="c"/> (its column sum).</summary>
    public long PredictedCount(int c)
    {
        long sum = 0;
        for (var t = 0; t < ClassCount; t++)
        {
            sum += _counts[t, c];
        }
        return sum;
    }

    /// <summary>The counts as jagged rows, row = true class.</summary>
    public long[][] ToRows() =>
        Enumerable.Range(0, ClassCount)
            .Select(t => Enumerable.Range(0, ClassCount).Select(p => _counts[t, p]).ToArray())
            .ToArray();
}
