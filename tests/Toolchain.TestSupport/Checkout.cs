namespace Toolchain.TestSupport;

/// <summary>The repository checkout the tests run from, for tests that read its committed files (README, Makefile, manifests).</summary>
public static class Checkout
{
    /// <summary>The folder holding Toolchain.sln, found by walking up from the test assembly's folder.</summary>
    public static string Root { get; } = Find();

    /// <summary>A file or folder of the checkout, by its path relative to <see cref="Root"/>.</summary>
    public static string PathOf(string relative) => Path.Combine(Root, relative);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Toolchain.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"the tests run outside the checkout: no Toolchain.sln above {AppContext.BaseDirectory}");
    }
}
