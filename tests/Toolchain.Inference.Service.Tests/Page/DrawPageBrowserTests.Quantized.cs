using Microsoft.Playwright;
using Toolchain.Inference.Quantization;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Service.Tests.Page;

/// <summary>The draw page on an INT8 model: onnxruntime-web runs the QDQ graph in the page as ONNX Runtime does on the server.</summary>
public sealed partial class DrawPageBrowserTests
{
    [Fact]
    public async Task An_int8_model_from_the_quantizer_runs_in_the_browser_and_agrees_with_the_server()
    {
        var floatPath = MnistCentroidModel.Write(_dir.File("float.onnx"));
        var path = _dir.File("model.onnx");
        ModelQuantizer.Quantize(floatPath, QuantizedTinyModels.CardOf(floatPath), path,
            QuantizedTinyModels.QuickOptions() with { Exclude = [] }, QuantizedTinyModels.Evaluate);
        await using var service = await RunningService.StartOnSocketAsync(path);
        var errors = new List<string>();
        var page = await chromium.NewPageAsync(errors);
        _pages.Add(page);
        await page.GotoAsync(service.Address.ToString());
        await BrowserModelAsync(page, service);

        await DrawOneAsync(page);

        await Assertions.Expect(page.Locator("#mode")).ToContainTextAsync("in this browser");
        await Assertions.Expect(page.Locator("#local-label")).ToHaveTextAsync("1");
        await Assertions.Expect(page.Locator("#server-label")).ToHaveTextAsync("1");
        await Assertions.Expect(page.Locator("#agreement")).ToHaveClassAsync("agree");
        Assert.Empty(errors);
    }
}
