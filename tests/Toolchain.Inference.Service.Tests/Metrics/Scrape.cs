using System.Globalization;
using System.Text.RegularExpressions;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Service.Tests.Metrics;

/// <summary>Samples of a Prometheus text scrape, looked up by name and a subset of their labels.</summary>
internal sealed partial class Scrape
{
    private Scrape(string text)
    {
        Text = text;
        Samples = [.. text.Split('\n').Where(line => line.Length > 0 && line[0] != '#').Select(Parse)];
    }

    public string Text { get; }

    public IReadOnlyList<Sample> Samples { get; }

    public static async Task<Scrape> OfAsync(HttpClient client) => new(await client.GetStringAsync("/metrics"));

    /// <summary>
    /// Scrapes until <paramref name="count"/> classify requests (any status) are in the request-duration histogram, then
    /// returns that scrape. ASP.NET Core records a request's duration once its response is complete, which can be just
    /// after the client has the response, so a scrape straight after the last answer may miss it.
    /// </summary>
    public static async Task<Scrape> AfterClassifyRequestsAsync(HttpClient client, int count)
    {
        Scrape? last = null;
        await Eventually.TrueAsync(async () =>
        {
            last = await OfAsync(client);
            return last.All("http_server_request_duration_seconds_count", ("http_route", "/v1/classify")).Sum(s => s.Value) >= count;
        }, $"{count} classify requests are recorded");
        return last!;
    }

    /// <summary>The samples named <paramref name="name"/> whose labels include <paramref name="labels"/>.</summary>
    public IEnumerable<Sample> All(string name, params (string Name, string Value)[] labels) =>
        Samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Name, out var v) && v == l.Value));

    /// <summary>The value of the one sample named <paramref name="name"/> whose labels include <paramref name="labels"/>.</summary>
    public double Value(string name, params (string Name, string Value)[] labels)
    {
        var matches = All(name, labels).ToList();
        return matches.Count == 1
            ? matches[0].Value
            : throw new Xunit.Sdk.XunitException($"{matches.Count} samples {name} with {string.Join(", ", labels)} in:\n{Text}");
    }

    private static Sample Parse(string line)
    {
        var match = SampleLine().Match(line);
        Assert.True(match.Success, $"not a sample line: {line}");
        var labels = LabelPair().Matches(match.Groups["labels"].Value)
            .ToDictionary(m => m.Groups["name"].Value, m => Regex.Unescape(m.Groups["value"].Value));
        var value = match.Groups["value"].Value switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            var number => double.Parse(number, CultureInfo.InvariantCulture),
        };
        return new Sample(match.Groups["name"].Value, labels, value);
    }

    [GeneratedRegex(@"^(?<name>\w+)(\{(?<labels>.*)\})? (?<value>\S+)$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"(?<name>\w+)=""(?<value>(?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();

    internal sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);
}
