using Toolchain.Contracts;
using Toolchain.Inference.Cli.Inputs;

namespace Toolchain.Inference.Cli.Tests.Inputs;

public sealed class ShardTests : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(40)]
    public void The_parts_are_disjoint_cover_the_list_in_order_and_differ_in_size_by_at_most_one(int count)
    {
        var items = Enumerable.Range(0, 23).Select(i => $"img-{i:D2}.png").ToList();

        var parts = Enumerable.Range(0, count).Select(i => new Shard(i, count).Of(items).ToList()).ToList();

        Assert.Equal(items, parts.SelectMany(p => p).Order(StringComparer.Ordinal));
        Assert.Equal(items.Count, parts.Sum(p => p.Count));
        Assert.True(parts.Max(p => p.Count) - parts.Min(p => p.Count) <= 1);
        Assert.All(parts, p => Assert.Equal(p.Order(StringComparer.Ordinal), p));
    }

    [Fact]
    public void The_split_is_round_robin_so_every_worker_computes_the_same_one()
    {
        Assert.Equal(["b", "e"], new Shard(1, 3).Of(["a", "b", "c", "d", "e", "f"]));
        Assert.Equal(Shard.All, Shard.Parse(null));
        Assert.Equal(new Shard(2, 5), Shard.Parse("2/5"));
    }

    [Theory]
    [InlineData("3/3")]
    [InlineData("1/0")]
    [InlineData("-1/4")]
    [InlineData("1")]
    [InlineData("1/2/3")]
    [InlineData("a/b")]
    [InlineData(" 1/2")]
    public void A_malformed_shard_is_refused(string text)
    {
        var e = Assert.Throws<ToolchainException>(() => Shard.Parse(text));
        Assert.Contains($"not '{text}'", e.Message);
    }

    [Fact]
    public void Classify_with_shards_classifies_each_expanded_file_exactly_once_across_the_workers()
    {
        var model = _files.ImageModel();
        for (var i = 0; i < 10; i++)
        {
            _files.Png($"in/d{i}.png", i);
        }
        var folder = _files.PathOf("in");

        var outputs = Enumerable.Range(0, 3)
            .Select(i => CliRun.Infer("classify", "--model", model, "--raw", "--shard", $"{i}/3", folder))
            .ToList();

        Assert.All(outputs, o => Assert.Equal(0, o.ExitCode));
        var classified = outputs.SelectMany(o => o.OutLines).Select(line => line.Split('\t')).ToList();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => Path.Combine(folder, $"d{i}.png")), classified.Select(c => c[0]).Order(StringComparer.Ordinal));
        Assert.All(classified, c => Assert.Equal("digit " + Path.GetFileNameWithoutExtension(c[0])[1..], c[1]));
        Assert.Equal([4, 3, 3], outputs.Select(o => o.OutLines.Length));
    }

    [Fact]
    public void Classify_refuses_a_bad_shard_with_exit_1()
    {
        var result = CliRun.Infer("classify", "--model", _files.ImageModel(), "--shard", "4/4", _files.Png("a.png", 1));

        Assert.Equal(1, result.ExitCode);
        result.AssertOneErrorLineNaming("--shard", "i/N", "4/4");
    }
}
