namespace Toolchain.Inference.Service.Endpoints;

/// <summary>GET /: the draw-a-digit page, a single HTML file embedded in the assembly (no front-end build).</summary>
internal static class DrawPage
{
    private static readonly Lazy<string> Html = new(() =>
    {
        using var stream = typeof(DrawPage).Assembly.GetManifestResourceStream("Toolchain.Inference.Service.index.html")
            ?? throw new InvalidOperationException("the page resource is missing from the assembly");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    public static IResult Serve() => Results.Content(Html.Value, "text/html; charset=utf-8");
}
