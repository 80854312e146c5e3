namespace Toolchain.Shared.Data;

/// <summary>The notebook's four-blob XOR data, bit-exact with numpy's legacy RandomState.</summary>
public static class XorDataset
{
    /// <summary>
    /// 400 points, 100 around each of [1,1], [1,0], [0,0], [0,1] (mean + 0.1·z), labels 1, 0, 1, 0 per blob.
    /// Features are 400×2, row-major.
    /// </summary>
    public static (double[] Features, double[] Labels) Generate(uint seed = 0) =>
        throw new NotImplementedException("XorDataset.Generate is being written");
}
