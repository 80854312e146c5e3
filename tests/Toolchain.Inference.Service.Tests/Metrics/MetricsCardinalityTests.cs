using System.Net.Sockets;
using System.Text;

namespace Toolchain.Inference.Service.Tests.Metrics;

/// <summary>What a client sends must never become a new labelled series: /metrics stays the same size however it is abused.</summary>
public sealed class MetricsCardinalityTests : TinyModelServiceTests
{
    // Raw requests with made-up methods, which HttpClient would not send.
    private protected override bool OnSocket => true;

    private async Task<string> SendRawAsync(string method, string path)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(Service.Address.Host, Service.Address.Port);
        await using var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)) ?? "";
    }

    private async Task<string[]> SeriesAsync() =>
        (await Service.Client.GetStringAsync("/metrics")).Split('\n').Where(l => l.Length > 0 && l[0] != '#')
            .Select(l => l[..l.LastIndexOf(' ')]).ToArray();

    [Fact]
    public async Task Kestrels_connection_metrics_are_exported()
    {
        var metrics = await Scrape.OfAsync(Service.Client);

        Assert.True(metrics.Value("kestrel_active_connections") >= 1);
    }

    [Fact]
    public async Task Random_method_names_and_paths_add_no_series()
    {
        var random = new Random(1);
        string RandomText(int length) => new([.. Enumerable.Range(0, length).Select(_ => (char)random.Next('A', 'Z' + 1))]);
        // One request of each kind first, so the bounded series they belong to exist before the count is taken.
        await SendRawAsync(RandomText(10), "/x");
        await SendRawAsync("GET", "/" + RandomText(10));
        await SeriesAsync();
        var before = await SeriesAsync();

        for (var i = 0; i < 40; i++)
        {
            Assert.StartsWith("HTTP/1.1 ", await SendRawAsync(RandomText(4000), "/" + RandomText(200)));
            await SendRawAsync("GET", "/" + RandomText(500));
        }

        var after = await SeriesAsync();
        Assert.Equal(before, after);
        Assert.Contains(after, s => s.Contains("method=\"_OTHER\"", StringComparison.Ordinal));
        Assert.All(after, s => Assert.True(s.Length < 200, s));
    }
}
