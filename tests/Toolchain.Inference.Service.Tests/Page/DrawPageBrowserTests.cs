using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Playwright;
using Toolchain.Contracts;
using Toolchain.Imaging;
using Toolchain.Inference.Hosting;
using Toolchain.TestSupport;
using Xunit.Abstractions;

namespace Toolchain.Inference.Service.Tests.Page;

/// <summary>
/// The draw page in Debian's headless Chromium: the same model.onnx runs in the page (onnxruntime-web, from
/// /v1/model/file) and on the server. The model is a nearest-centroid classifier built from data/mnist-sample, so a
/// drawn digit has a right answer.
/// </summary>
[Collection("Chromium")]
public sealed partial class DrawPageBrowserTests(ChromiumBrowser chromium, DrawPageBrowserTests.SharedPage shared, ITestOutputHelper output)
    : IAsyncLifetime, IClassFixture<DrawPageBrowserTests.SharedPage>
{
    private readonly TempDir _dir = new();
    private readonly List<IPage> _pages = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        // A page left open keeps polling (and its WASM threads) until the browser goes.
        foreach (var page in _pages)
        {
            await page.CloseAsync();
        }
        _dir.Dispose();
    }

    private async Task<IPage> NewPageAsync()
    {
        var page = await chromium.NewPageAsync();
        _pages.Add(page);
        return page;
    }

    /// <summary>
    /// One service (with the test-only parity endpoint) and one loaded page for the tests that leave both as they
    /// found them: loading onnxruntime-web's 14 MB of WASM is most of a page test's time.
    /// </summary>
    public sealed class SharedPage : IAsyncLifetime
    {
        private readonly TempDir _dir = new();
        private readonly SemaphoreSlim _gate = new(1, 1);
        private RunningService? _service;

        private IPage? Page { get; set; }

        public List<string> Errors { get; } = [];

        public async Task<IPage> OpenAsync(ChromiumBrowser chromium)
        {
            await _gate.WaitAsync();
            try
            {
                if (Page is null)
                {
                    _service = await RunningService.StartOnSocketAsync(MnistCentroidModel.Write(_dir.File("model.onnx")), MapParityEndpoint);
                    var page = await chromium.NewPageAsync(Errors);
                    await page.GotoAsync(_service.Address.ToString());
                    await BrowserModelAsync(page, _service);
                    Page = page;
                }
                await Page.Keyboard.PressAsync("Escape");
                return Page;
            }
            finally
            {
                _gate.Release();
            }
        }

        public Task InitializeAsync() => Task.CompletedTask;

        public async Task DisposeAsync()
        {
            if (_service is not null)
            {
                await _service.DisposeAsync();
            }
            _gate.Dispose();
            _dir.Dispose();
        }
    }

    [Fact]
    public async Task Drawn_7_1_and_0_by_mouse_and_1_by_touch_are_classified_in_the_browser_and_on_the_server_alike_on_an_isolated_page_without_errors()
    {
        var page = await shared.OpenAsync(chromium);
        var errors = shared.Errors;

        Assert.True(await page.EvaluateAsync<bool>("() => crossOriginIsolated"), "the page is not cross-origin isolated (COOP/COEP)");
        await Assertions.Expect(page.Locator("#mode")).ToContainTextAsync("in this browser");
        await Assertions.Expect(page.Locator("#card")).ToContainTextAsync("mnist-sample");
        foreach (var (digit, draw) in new (string, Func<IPage, Task>)[] { ("7", DrawSevenAsync), ("1", DrawOneAsync), ("0", DrawZeroAsync) })
        {
            await page.Keyboard.PressAsync("Escape");
            await Assertions.Expect(page.Locator("#local-label")).ToHaveTextAsync("");
            await draw(page);
            await Assertions.Expect(page.Locator("#local-label")).ToHaveTextAsync(digit);
            await Assertions.Expect(page.Locator("#server-label")).ToHaveTextAsync(digit);
            await Assertions.Expect(page.Locator("#agreement")).ToHaveClassAsync("agree");
            await Assertions.Expect(page.Locator("#local-top3 li")).ToHaveCountAsync(3);
            await Assertions.Expect(page.Locator("#server-top3 li")).ToHaveCountAsync(3);
            await Assertions.Expect(page.Locator("#local-ms")).ToHaveTextAsync(LocalTime());
            await Assertions.Expect(page.Locator("#server-ms")).ToHaveTextAsync(ServerTime());
            Assert.All(await page.Locator(".top3 .pct").AllTextContentsAsync(), p => Assert.Matches(@"^\d+\.\d%$", p));
            output.WriteLine($"{digit}: {await page.Locator("#local-ms").TextContentAsync()}, server {await page.Locator("#server-ms").TextContentAsync()}");
        }
        // A finger: the same page through touch events (pointer events with pointerType "touch").
        await page.Keyboard.PressAsync("Escape");
        await TouchStrokeAsync(page, (140, 50), (140, 140), (140, 230));
        await Assertions.Expect(page.Locator("#local-label")).ToHaveTextAsync("1");
        await Assertions.Expect(page.Locator("#agreement")).ToHaveClassAsync("agree");
        await page.Keyboard.PressAsync("Escape");
        await DrawZeroAsync(page);
        await Assertions.Expect(page.Locator("#agreement")).ToHaveClassAsync("agree");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppContext.BaseDirectory, "draw-page.png") });

        await page.Locator("#clear").ClickAsync();

        await Assertions.Expect(page.Locator("#local-label")).ToHaveTextAsync("");
        await Assertions.Expect(page.Locator("#server-top3 li")).ToHaveCountAsync(0);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task With_the_service_stopped_after_loading_the_page_still_classifies_in_the_browser()
    {
        var service = await RunningService.StartOnSocketAsync(MnistCentroidModel.Write(_dir.File("model.onnx")));
        var page = await NewPageAsync();
        try
        {
            await page.GotoAsync(service.Address.ToString());
            await BrowserModelAsync(page, service);
        }
        finally
        {
            await service.DisposeAsync();
        }

        await DrawOneAsync(page);

        await Assertions.Expect(page.Locator("#local-label")).ToHaveTextAsync("1");
        await Assertions.Expect(page.Locator("#server-ms")).ToHaveTextAsync("the server cannot be reached");
    }

    [Fact]
    public async Task A_model_reload_loads_the_new_file_into_the_page_without_a_page_reload()
    {
        var path = MnistCentroidModel.Write(_dir.File("model.onnx"));
        await using var service = await RunningService.StartOnSocketAsync(path);
        var page = await NewPageAsync();
        await page.GotoAsync(service.Address.ToString());
        var first = await BrowserModelAsync(page, service);

        // As deployment tools do: the new file next to the old, then renamed over it.
        File.Move(MnistCentroidModel.Write(_dir.File("staged.onnx"), trainCount: 1500), path, overwrite: true);
        await Eventually.TrueAsync(() => service.Classifier.GetStatus().Version?.Generation == 2, "the service reloads the replaced file");
        var second = await BrowserModelAsync(page, service);

        Assert.NotEqual(first, second);
        await Assertions.Expect(page.Locator("#server-version")).ToHaveTextAsync(second);
        await DrawSevenAsync(page);
        await Assertions.Expect(page.Locator("#agreement")).ToHaveClassAsync("agree");
    }

    [Fact]
    public async Task Without_onnxruntime_web_the_page_says_it_classifies_on_the_server_only_and_does()
    {
        await using var service = await RunningService.StartOnSocketAsync(MnistCentroidModel.Write(_dir.File("model.onnx")));
        var page = await NewPageAsync();
        // As a service built without npm answers: its /ort/ files are missing.
        await page.RouteAsync("**/ort/**", route => route.FulfillAsync(new RouteFulfillOptions { Status = 404 }));
        await page.GotoAsync(service.Address.ToString());

        await Assertions.Expect(page.Locator("#mode")).ToContainTextAsync("Server only");
        await Assertions.Expect(page.Locator("#mode")).ToContainTextAsync("make web");
        await DrawSevenAsync(page);

        await Assertions.Expect(page.Locator("#server-label")).ToHaveTextAsync("7");
        Assert.Equal("", await page.Locator("#local-label").TextContentAsync());
    }

    /// <summary>
    /// Framing parity: 50 real MNIST digits drawn on a canvas as strokes, and the first 12 of them also thick, small and
    /// off-centre, white on black, and tiny (enlarged, not shrunk, to 20 px), framed by the page's JS module and by the
    /// library's DigitPreprocessor (through a test-only endpoint, from the canvas's PNG) in digit and in resize mode,
    /// then classified in the page and on the server.
    /// </summary>
    [Fact]
    public async Task The_pages_framing_matches_the_library_within_one_level_and_both_sides_agree_on_every_label()
    {
        const int digits = 50, withVariants = 12;
        var page = await shared.OpenAsync(chromium);
        var (images, labels) = MnistSample.LoadTest(digits);

        var cases = await page.EvaluateAsync<ParityCase[]>(ParityScript,
            new { digits = images.Select(i => i.Select(b => (int)b).ToArray()).ToArray(), withVariants });

        Assert.Equal(digits + (4 * withVariants), cases.Length);
        var maxDiff = cases.Max(c => c.MaxDiff);
        var agree = cases.Count(c => c.Local == c.Server);
        var right = cases.Count(c => c.Server == labels[c.Index].ToString(CultureInfo.InvariantCulture));
        output.WriteLine($"parity over {cases.Length} canvases ({digits} digits as strokes, {withVariants} of them also thick, off-centre, inverted and tiny; digit and resize framing): max per-pixel difference {maxDiff}/255, "
            + $"{cases.Count(c => c.MaxDiff == 0)} identical, labels agree {agree}/{cases.Length}; the centroid model is right on {right}");
        Assert.All(cases, c => Assert.True(c.MaxDiff <= 1, $"digit {c.Index} {c.Variant}: the JS framing differs by {c.MaxDiff}/255"));
        Assert.All(cases, c => Assert.True(c.Local == c.Server, $"digit {c.Index} {c.Variant}: browser says {c.Local}, server {c.Server}"));
    }

    /// <summary>One canvas of the parity run (Playwright fills it from the script's object).</summary>
    private sealed class ParityCase
    {
        public int Index { get; set; }
        public string Variant { get; set; } = "";
        public int MaxDiff { get; set; }
        public string Local { get; set; } = "";
        public string Server { get; set; } = "";
    }

    /// <summary>Test-only: the library's framing of a posted image and the server's label for it.</summary>
    private static void MapParityEndpoint(WebApplication app) =>
        app.MapPost("/test/frame", async (HttpRequest request, OnnxClassifier classifier) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            var png = body.ToArray();
            var preprocessor = (DigitPreprocessor)classifier.GetStatus().Preprocessor!;
            var bytes = preprocessor.ToMnistBytes(png, "canvas");
            // The other framing the page ports (whole picture fitted, for models whose card says resize).
            var resized = new DigitPreprocessor(PreprocessingMode.Resize, preprocessor.Mean, preprocessor.Std).ToMnistBytes(png, "canvas");
            var result = await classifier.ClassifyImageAsync(png, "canvas");
            return Results.Json(new
            {
                bytes = bytes.Select(b => (int)b).ToArray(),
                resized = resized.Select(b => (int)b).ToArray(),
                label = result.Prediction.LabelName,
            });
        });

    private const string ParityScript = """
        async ({ digits, withVariants }) => {
          const { toMnistBytes } = await import("/digit-framing.mjs");
          const canvas = document.createElement("canvas");
          canvas.width = canvas.height = 280;
          const ctx = canvas.getContext("2d", { willReadFrequently: true });
          const variants = [
            { name: "plain", paper: "#fff", ink: "#000", scale: 10, x: 0, y: 0, width: 12 },
            { name: "thick", paper: "#fff", ink: "#000", scale: 10, x: 0, y: 0, width: 28 },
            { name: "off-centre", paper: "#fff", ink: "#000", scale: 5, x: 140, y: 10, width: 6 },
            { name: "inverted", paper: "#000", ink: "#fff", scale: 10, x: 0, y: 0, width: 14 },
            { name: "tiny", paper: "#fff", ink: "#000", scale: 0.6, x: 200, y: 40, width: 1.5 },
          ];
          const cases = [];
          for (const [index, digit] of digits.entries()) {
            for (const v of index < withVariants ? variants : variants.slice(0, 1)) {
              ctx.fillStyle = v.paper;
              ctx.fillRect(0, 0, 280, 280);
              ctx.strokeStyle = v.ink;
              ctx.lineCap = "round";
              ctx.lineWidth = v.width;
              // Each row's runs of ink become one pen stroke.
              for (let y = 0; y < 28; y++) {
                for (let x = 0; x < 28; ) {
                  if (digit[y * 28 + x] < 128) { x++; continue; }
                  const start = x;
                  while (x < 28 && digit[y * 28 + x] >= 128) x++;
                  ctx.beginPath();
                  ctx.moveTo(v.x + (start + 0.5) * v.scale, v.y + (y + 0.5) * v.scale);
                  ctx.lineTo(v.x + (x - 0.5) * v.scale + 0.01, v.y + (y + 0.5) * v.scale);
                  ctx.stroke();
                }
              }
              const pixels = ctx.getImageData(0, 0, 280, 280);
              const js = toMnistBytes(pixels.data, 280, 280, "digit");
              const resized = toMnistBytes(pixels.data, 280, 280, "resize");
              const local = await window.drawPage.runLocal(pixels);
              const png = await new Promise(resolve => canvas.toBlob(resolve, "image/png"));
              const server = await (await fetch("/test/frame", { method: "POST", headers: { "Content-Type": "image/png" }, body: png })).json();
              let maxDiff = 0;
              for (let i = 0; i < 784; i++) maxDiff = Math.max(maxDiff, Math.abs(js[i] - server.bytes[i]), Math.abs(local.bytes[i] - js[i]), Math.abs(resized[i] - server.resized[i]));
              cases.push({ index, variant: v.name, maxDiff, local: local.top[0].label, server: server.label });
            }
          }
          return cases;
        }
        """;

    /// <summary>Waits until the page runs the service's current model in the browser; returns its version id.</summary>
    private static async Task<string> BrowserModelAsync(IPage page, RunningService service)
    {
        var version = service.Classifier.GetStatus().Version!.Id;
        await Assertions.Expect(page.Locator("#local-version")).ToHaveTextAsync(version, new LocatorAssertionsToHaveTextOptions { Timeout = 30_000 });
        return version;
    }

    private static async Task StrokeAsync(IPage page, params (float X, float Y)[] points)
    {
        var pad = (await page.Locator("#pad").BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(pad.X + points[0].X, pad.Y + points[0].Y);
        await page.Mouse.DownAsync();
        foreach (var (x, y) in points.Skip(1))
        {
            await page.Mouse.MoveAsync(pad.X + x, pad.Y + y, new MouseMoveOptions { Steps = 6 });
        }
        await page.Mouse.UpAsync();
    }

    /// <summary>One finger drawn through <paramref name="points"/>, as a touch screen reports it (Chrome's DevTools protocol).</summary>
    private static async Task TouchStrokeAsync(IPage page, params (float X, float Y)[] points)
    {
        var pad = (await page.Locator("#pad").BoundingBoxAsync())!;
        var cdp = await page.Context.NewCDPSessionAsync(page);
        try
        {
            await cdp.SendAsync("Emulation.setTouchEmulationEnabled", new() { ["enabled"] = true, ["maxTouchPoints"] = 1 });
            for (var i = 0; i < points.Length; i++)
            {
                var type = i == 0 ? "touchStart" : "touchMove";
                var touch = new Dictionary<string, object> { ["x"] = pad.X + points[i].X, ["y"] = pad.Y + points[i].Y, ["id"] = 1 };
                await cdp.SendAsync("Input.dispatchTouchEvent", new() { ["type"] = type, ["touchPoints"] = new[] { touch } });
            }
            await cdp.SendAsync("Input.dispatchTouchEvent", new() { ["type"] = "touchEnd", ["touchPoints"] = Array.Empty<object>() });
        }
        finally
        {
            await cdp.DetachAsync();
        }
    }

    /// <summary>A bar across the top, then a diagonal down, in one stroke.</summary>
    private static Task DrawSevenAsync(IPage page) => StrokeAsync(page, (80, 60), (200, 60), (120, 230));

    private static Task DrawOneAsync(IPage page) => StrokeAsync(page, (140, 50), (140, 230));

    private static Task DrawZeroAsync(IPage page) =>
        StrokeAsync(page, Enumerable.Range(0, 25).Select(i => (X: 140 + (60 * MathF.Sin(i * MathF.Tau / 24)), Y: 140 - (90 * MathF.Cos(i * MathF.Tau / 24)))).ToArray());

    [GeneratedRegex(@"^\d+\.\d ms in this browser$")]
    private static partial Regex LocalTime();

    [GeneratedRegex(@"^\d+\.\d ms round trip$")]
    private static partial Regex ServerTime();
}
