using Microsoft.Playwright;

namespace Toolchain.Inference.Service.Tests.Page;

/// <summary>
/// One headless Debian Chromium, driven by Playwright's bundled driver (no browser download), shared by the page tests
/// of the "Chromium" collection: starting it costs more than most of the tests themselves.
/// </summary>
public sealed class ChromiumBrowser : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(ExecutablePath), $"{ExecutablePath} is missing: run make test-prerequisites (mk/prerequisites.mk), which installs Debian's chromium");
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>A fresh page (its own context, so no cache or storage carries over); console errors and page errors go into <paramref name="errors"/>.</summary>
    public async Task<IPage> NewPageAsync(List<string>? errors = null)
    {
        var page = await _browser!.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 900, Height = 600 } });
        if (errors is not null)
        {
            page.Console += (_, message) =>
            {
                if (message.Type == "error")
                {
                    lock (errors)
                    {
                        errors.Add(message.Text);
                    }
                }
            };
            page.PageError += (_, error) =>
            {
                lock (errors)
                {
                    errors.Add(error);
                }
            };
        }
        return page;
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
        _playwright?.Dispose();
    }
}

[CollectionDefinition("Chromium")]
public sealed class ChromiumCollection : ICollectionFixture<ChromiumBrowser>;
