namespace Toolchain.Data;

/// <summary>
/// A seeded, stratified split of examples into train and test: within each class the examples are shuffled with the
/// seed and the first round(fraction × count) go to test, so every class keeps its share and the same seed gives the
/// same split on every machine (the shuffle is a fixed xorshift, not
/// <see cref="Random"/>, whose sequence .NET does not promise across versions).
/// </summary>
public static class StratifiedSplit
{
    /// <summary>
    /// Indexes of the train and test examples, each in ascending order, for examples labelled <paramref name="labels"/>.
    /// A class with at least two examples keeps at least one on each side.
    /// </summary>
    public static (int[] Train, int[] Test) Split(IReadOnlyList<int> labels, double testFraction, int seed)
    {
        if (!(testFraction > 0 && testFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "the test fraction must be between 0 and 1");
        }
        var train = new List<int>();
        var test = new List<int>();
        foreach (var group in Enumerable.Range(0, labels.Count).GroupBy(i => labels[i]).OrderBy(g => g.Key))
        {
            var members = group.ToArray();
            // One generator per class, seeded from the class id: adding a class does not reshuffle the others.
            var state = Mix((ulong)(uint)seed, (ulong)(uint)group.Key);
            for (var i = members.Length - 1; i > 0; i--)
            {
                state = Next(state);
                var j = (int)(state % (ulong)(i + 1));
                (members[i], members[j]) = (members[j], members[i]);
            }
            var testCount = (int)Math.Round(testFraction * members.Length, MidpointRounding.AwayFromZero);
            if (members.Length >= 2)
            {
                testCount = Math.Clamp(testCount, 1, members.Length - 1);
            }
            test.AddRange(members.Take(testCount));
            train.AddRange(members.Skip(testCount));
        }
        train.Sort();
        test.Sort();
        return (train.ToArray(), test.ToArray());
    }

    private static ulong Mix(ulong seed, ulong stream)
    {
        // splitmix64 of the two words: well-spread starting states even for seeds 0, 1, 2.
        var z = (seed * 0x9E3779B97F4A7C15UL) ^ (stream + 0xBF58476D1CE4E5B9UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (z ^ (z >> 31)) | 1;
    }

    private static ulong Next(ulong x)
    {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return x;
    }
}
