namespace Toolchain.Trainer.Transfer;

/// <summary>
/// One split's backbone outputs: <see cref="Views"/> × <see cref="Count"/> rows of <see cref="Shape"/> values each,
/// view-major (view 0 is every image as decoded, later views are augmented copies), and a class id per image. Values
/// are half precision: a stage's activations are 50,176 values an image for ResNet18, and at 16 bits a few thousand
/// pictures with an augmented copy each stay within a gigabyte, in memory and in the cache; ReLU activations and
/// pooled features lose nothing a head or a stage can learn from in the 11 bits of precision.
/// </summary>
/// <param name="Labels">Class id of each image.</param>
/// <param name="Values">The outputs, view-major: row (v·Count + i) is image i seen as view v.</param>
/// <param name="Shape">One image's output shape: [width] for a feature vector, [C,H,W] for a stage's activations.</param>
/// <param name="Views">Views per image: 1, or more for cached augmented copies.</param>
public sealed record FeatureSplit(int[] Labels, Half[] Values, long[] Shape, int Views)
{
    /// <summary>Images.</summary>
    public int Count => Labels.Length;

    /// <summary>Values per row.</summary>
    public int Width => (int)Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>
/// An image folder seen through a backbone: per named graph output (the pooled features, and for fine-tuning the
/// activations at the last frozen stage), both splits, with the classes and what was skipped. Computed once by
/// <see cref="BackboneFeaturizer"/> and kept by <see cref="FeatureCache"/>.
/// </summary>
/// <param name="ClassNames">Class names, index = class id.</param>
/// <param name="Train">Training split per output name.</param>
/// <param name="Test">Test split per output name.</param>
/// <param name="Skipped">Images left out, each as "path: problem".</param>
/// <param name="TestFraction">The split's test fraction in the DIR/&lt;class&gt; layout, or null for the folder's own.</param>
/// <param name="SplitSeed">The split's seed.</param>
/// <param name="TrainFiles">The listing's index of each training image, in row order.</param>
/// <param name="TestFiles">The listing's index of each test image, in row order.</param>
public sealed record ImageFeatures(IReadOnlyList<string> ClassNames, IReadOnlyDictionary<string, FeatureSplit> Train,
    IReadOnlyDictionary<string, FeatureSplit> Test, IReadOnlyList<string> Skipped, double? TestFraction, int SplitSeed,
    int[] TrainFiles, int[] TestFiles)
{
    /// <summary>Training images.</summary>
    public int TrainCount => Train.Values.First().Count;

    /// <summary>Test images.</summary>
    public int TestCount => Test.Values.First().Count;

    /// <summary>
    /// These outputs with at most <paramref name="views"/> views of each training image: a view depends only on the
    /// seed, the view and the image, so the first views of an entry with more are what a run asking for fewer computes.
    /// </summary>
    public ImageFeatures WithViews(int views) => this with
    {
        Train = Train.ToDictionary(p => p.Key, p => p.Value.Views <= views ? p.Value
            : p.Value with { Views = views, Values = p.Value.Values[..checked(views * p.Value.Count * p.Value.Width)] }),
    };
}
