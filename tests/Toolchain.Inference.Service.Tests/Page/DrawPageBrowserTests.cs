using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Toolchain.Contracts;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Service.Tests.Page;

/// <summary>
/// Debian's headless Chromium, driven by Playwright's bundled driver (no browser download), draws on the page.
/// </summary>
public sealed partial class DrawPageBrowserTests : IDisposable
{
    private const string Chromium = "/usr/bin/chromium";
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Drawing_a_stroke_on_the_page_shows_a_prediction_with_top_3_and_clear_removes_it()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install -y chromium (listed in .ci/apt-packages-service)");
        // Digit preprocessing, as for a real model: the page sends its whole 280×280 canvas.
        await using var service = await RunningService.StartOnSocketAsync(LabelledTinyModels.Write(_dir.File("model.onnx"), "digit ", mode: PreprocessingMode.Digit));
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var page = await browser.NewPageAsync();
        var posted = 0;
        page.Request += (_, request) =>
        {
            if (request.Url.EndsWith("/v1/classify?top_k=3", StringComparison.Ordinal) && request.Headers["content-type"] == "image/png")
            {
                Interlocked.Increment(ref posted);
            }
        };
        await page.GotoAsync(service.Address.ToString());
        var pad = (await page.Locator("#pad").BoundingBoxAsync())!;

        // A "7": a bar across the top, then a diagonal down, drawn as one pointer stroke.
        await page.Mouse.MoveAsync(pad.X + 80, pad.Y + 60);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(pad.X + 200, pad.Y + 60, new MouseMoveOptions { Steps = 8 });
        await page.Mouse.MoveAsync(pad.X + 120, pad.Y + 230, new MouseMoveOptions { Steps = 8 });
        await page.Mouse.UpAsync();

        await Assertions.Expect(page.Locator("#prediction")).ToHaveTextAsync(DigitLabel());
        await Assertions.Expect(page.Locator("#top3 li")).ToHaveCountAsync(3);
        var percentages = await page.Locator("#top3 .pct").AllTextContentsAsync();
        Assert.All(percentages, p => Assert.Matches(@"^\d+\.\d%$", p));
        Assert.True(posted >= 1, "the page never posted the canvas as PNG");
        var top = await page.Locator("#top3 .name").First.TextContentAsync();
        Assert.Equal(await page.Locator("#prediction").TextContentAsync(), top);

        await page.Locator("#clear").ClickAsync();

        await Assertions.Expect(page.Locator("#prediction")).ToHaveTextAsync("");
        await Assertions.Expect(page.Locator("#top3 li")).ToHaveCountAsync(0);
    }

    [GeneratedRegex(@"^digit \d$")]
    private static partial Regex DigitLabel();
}
