using System.Security.Cryptography;
using Toolchain.Data;
using Toolchain.TestSupport;

namespace Toolchain.Data.Tests;

public sealed class DatasetDownloaderTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly LoopbackHttpServer _server = new();
    private readonly DatasetDownloader _downloader = new(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5));

    public void Dispose()
    {
        _downloader.Dispose();
        _server.Dispose();
        _temp.Dispose();
    }

    private static readonly byte[] Content = [.. Enumerable.Range(0, 200_000).Select(i => (byte)(i * 31))];

    private static DatasetEntry Entry(IReadOnlyList<Uri> mirrors, byte[] content) => new(
        "tiny", "tiny", mirrors,
        [new DatasetFile("train-images-idx3-ubyte.gz", FileChecksum.Md5(Convert.ToHexStringLower(MD5.HashData(content))))],
        ["0", "1"], 1, 1, 1, 1, [], OfflineHint: "or use --dataset mnist-sample");

    private string Target => _temp.File("train-images-idx3-ubyte.gz");

    [Fact]
    public void A_file_is_downloaded_verified_and_put_in_place_with_progress_reported()
    {
        _server.Serve("train-images-idx3-ubyte.gz", Content);
        var reports = new List<DownloadProgress>();

        var paths = _downloader.Download(Entry([_server.BaseUri], Content), _temp.Path, new SyncProgress(reports.Add));

        Assert.Equal([Target], paths);
        Assert.Equal(Content, File.ReadAllBytes(Target));
        Assert.Equal(["train-images-idx3-ubyte.gz"], _temp.Entries());
        Assert.True(reports[^1].Completed);
        Assert.Equal(Content.Length, reports[^1].BytesReceived);
        Assert.Equal(Content.Length, reports[^1].TotalBytes);
    }

    [Fact]
    public void A_checksum_mismatch_fails_and_leaves_no_file_behind()
    {
        byte[] served = [.. Content[..^1], 0];
        _server.Serve("train-images-idx3-ubyte.gz", served);

        var e = Assert.Throws<DatasetDownloadException>(() => _downloader.Download(Entry([_server.BaseUri], Content), _temp.Path));

        Assert.Contains(_server.BaseUri.ToString(), e.Message);
        Assert.Contains("checksum mismatch", e.Message);
        // Both MD5s: the one received and the one expected.
        Assert.Contains(Convert.ToHexStringLower(MD5.HashData(served)), e.Message);
        Assert.Contains(Convert.ToHexStringLower(MD5.HashData(Content)), e.Message);
        Assert.Empty(_temp.Entries());
    }

    [Fact]
    public void A_failed_download_into_a_new_folder_removes_the_folder_too()
    {
        var folder = Path.Combine(_temp.Path, "mnist");

        Assert.Throws<DatasetDownloadException>(() => _downloader.Download(Entry([_server.BaseUri], Content), folder));

        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void When_the_first_mirror_is_down_the_second_one_is_used()
    {
        _server.Serve("train-images-idx3-ubyte.gz", Content);

        _downloader.Download(Entry([LoopbackHttpServer.DeadMirror(), _server.BaseUri], Content), _temp.Path);

        Assert.Equal(Content, File.ReadAllBytes(Target));
        Assert.Equal(["/mirror/train-images-idx3-ubyte.gz"], _server.Requests);
    }

    [Fact]
    public void A_mirror_answering_404_is_skipped_for_the_next_one()
    {
        using var second = new LoopbackHttpServer("/other/");
        second.Serve("train-images-idx3-ubyte.gz", Content);

        _downloader.Download(Entry([_server.BaseUri, second.BaseUri], Content), _temp.Path);

        Assert.Equal(Content, File.ReadAllBytes(Target));
    }

    [Fact]
    public async Task When_all_mirrors_are_down_one_error_lists_them_and_the_way_out_without_waiting_for_a_timeout()
    {
        Uri[] mirrors = [LoopbackHttpServer.DeadMirror(), _server.BaseUri];
        // Timeouts far beyond the test's deadline: a refused connection and a 404 must fail at once, not time out.
        using var patient = new DatasetDownloader(TimeSpan.FromHours(1), TimeSpan.FromHours(1));

        var download = Task.Run(() => patient.Download(Entry(mirrors, Content), _temp.Path));
        var e = await Assert.ThrowsAsync<DatasetDownloadException>(() => download.WaitAsync(TimeSpan.FromSeconds(30)));

        // Each mirror with its own reason, then both ways to go on without the network.
        Assert.DoesNotContain('\n', e.Message);
        Assert.All(
            ["train-images-idx3-ubyte.gz", $"{mirrors[0]} (connection refused)", $"{mirrors[1]} (HTTP 404", _temp.Path, "--dataset mnist-sample"],
            fact => Assert.Contains(fact, e.Message));
        Assert.Equal(mirrors, e.Failures.Select(f => f.Mirror));
        Assert.Empty(_temp.Entries());
    }

    [Fact]
    public void A_file_already_present_with_the_right_checksum_is_not_downloaded_again()
    {
        File.WriteAllBytes(Target, Content);

        _downloader.Download(Entry([_server.BaseUri], Content), _temp.Path);

        Assert.Empty(_server.Requests);
    }

    [Fact]
    public void The_default_connect_timeout_is_at_most_ten_seconds()
    {
        using var downloader = new DatasetDownloader();

        Assert.True(downloader.ConnectTimeout <= TimeSpan.FromSeconds(10));
    }

    /// <summary>Reports on the calling thread, unlike <see cref="Progress{T}"/>, so the list is complete on return.</summary>
    private sealed class SyncProgress(Action<DownloadProgress> report) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value) => report(value);
    }
}
