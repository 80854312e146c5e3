using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Toolchain.Cli.Output;
using Toolchain.Contracts;

namespace Toolchain.Data;

/// <summary>
/// Fetches a catalog dataset's files from its mirrors, in order, verifying each file's checksum. Bytes go to a
/// temporary file beside the target that is renamed only once verified, so a failed download leaves nothing behind.
/// Offline it gives up fast: each mirror gets at most <see cref="ConnectTimeout"/> to accept the connection.
/// </summary>
public sealed class DatasetDownloader : IDisposable
{
    /// <summary>The default limit on establishing a connection to one mirror.</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The default limit on a download receiving no bytes at all.</summary>
    public static readonly TimeSpan DefaultStallTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http;

    /// <summary>Creates a downloader with its own connection pool.</summary>
    /// <param name="connectTimeout">Per-mirror connect limit; at most 10 s by default.</param>
    /// <param name="stallTimeout">Give up on a mirror that sends nothing for this long.</param>
    public DatasetDownloader(TimeSpan? connectTimeout = null, TimeSpan? stallTimeout = null)
    {
        ConnectTimeout = connectTimeout ?? DefaultConnectTimeout;
        StallTimeout = stallTimeout ?? DefaultStallTimeout;
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = ConnectTimeout,
            AutomaticDecompression = DecompressionMethods.None,
            AllowAutoRedirect = true,
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Toolchain", "0.1"));
    }

    /// <summary>The per-mirror connect limit.</summary>
    public TimeSpan ConnectTimeout { get; }

    /// <summary>How long a transfer may go without receiving a byte.</summary>
    public TimeSpan StallTimeout { get; }

    /// <summary>
    /// Downloads <paramref name="files"/> (default: all of <paramref name="entry"/>'s files) into
    /// <paramref name="directory"/>. A file already there with the right checksum is kept. Throws
    /// <see cref="DatasetDownloadException"/> at the first file no mirror could deliver.
    /// </summary>
    /// <returns>The paths of the files, now present and verified.</returns>
    public IReadOnlyList<string> Download(DatasetEntry entry, string directory, IProgress<DownloadProgress>? progress = null,
        IEnumerable<DatasetFile>? files = null, CancellationToken cancellationToken = default) =>
        DownloadAsync(entry, directory, progress, files, cancellationToken).GetAwaiter().GetResult();

    /// <inheritdoc cref="Download"/>
    public async Task<IReadOnlyList<string>> DownloadAsync(DatasetEntry entry, string directory,
        IProgress<DownloadProgress>? progress = null, IEnumerable<DatasetFile>? files = null,
        CancellationToken cancellationToken = default)
    {
        var wanted = (files ?? entry.Files).ToList();
        var createdDirectory = !Directory.Exists(directory);
        Directory.CreateDirectory(directory);
        var mirrors = entry.Mirrors.ToList();
        var paths = new List<string>();
        try
        {
            foreach (var file in wanted)
            {
                var target = Path.Combine(directory, file.FileName);
                if (File.Exists(target) && file.Checksum.Compute(target) == file.Checksum.Hex)
                {
                    paths.Add(target);
                    continue;
                }
                var used = await FetchFromAnyAsync(entry, mirrors, file, directory, progress, cancellationToken).ConfigureAwait(false);
                // Later files go to the mirror that worked first: a dead first mirror costs one timeout, not four.
                mirrors.Remove(used);
                mirrors.Insert(0, used);
                paths.Add(target);
            }
        }
        catch
        {
            if (createdDirectory && Directory.Exists(directory) && !Directory.EnumerateFileSystemEntries(directory).Any())
            {
                Directory.Delete(directory);
            }
            throw;
        }
        return paths;
    }

    private async Task<Uri> FetchFromAnyAsync(DatasetEntry entry, IReadOnlyList<Uri> mirrors, DatasetFile file, string directory,
        IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        var failures = new List<(Uri Mirror, string Reason)>();
        foreach (var mirror in mirrors)
        {
            var reason = await TryFetchAsync(new Uri(mirror, file.FileName), file, directory, progress, cancellationToken).ConfigureAwait(false);
            if (reason is null)
            {
                return mirror;
            }
            failures.Add((mirror, reason));
        }
        throw new DatasetDownloadException(FailureMessage(entry, file, directory, failures), failures);
    }

    /// <returns>Null on success, else why this mirror failed.</returns>
    private async Task<string?> TryFetchAsync(Uri url, DatasetFile file, string directory, IProgress<DownloadProgress>? progress,
        CancellationToken cancellationToken)
    {
        var target = Path.Combine(directory, file.FileName);
        var temp = Path.Combine(directory, $".{file.FileName}.{Guid.NewGuid():N}.part");
        using var tracked = TemporaryPaths.Track(temp);
        long received = 0;
        try
        {
            using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            stall.CancelAfter(ConnectTimeout + StallTimeout);
            using var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, stall.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd();
            }
            var total = response.Content.Headers.ContentLength;
            progress?.Report(new DownloadProgress(file.FileName, url, 0, total, false));
            using var hasher = file.Checksum.CreateHasher();
            await using (var body = await response.Content.ReadAsStreamAsync(stall.Token).ConfigureAwait(false))
            await using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                var buffer = new byte[1 << 16];
                while (true)
                {
                    stall.CancelAfter(StallTimeout);
                    var n = await body.ReadAsync(buffer, stall.Token).ConfigureAwait(false);
                    if (n == 0)
                    {
                        break;
                    }
                    hasher.AppendData(buffer, 0, n);
                    await output.WriteAsync(buffer.AsMemory(0, n), stall.Token).ConfigureAwait(false);
                    received += n;
                    progress?.Report(new DownloadProgress(file.FileName, url, received, total, false));
                }
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            if (total is { } expected && expected != received)
            {
                return $"connection closed after {received} of {expected} bytes";
            }
            var actual = Convert.ToHexStringLower(hasher.GetHashAndReset());
            if (actual != file.Checksum.Hex)
            {
                return $"checksum mismatch: {file.Checksum.DisplayName} {actual}, expected {file.Checksum.Hex}";
            }
            File.Move(temp, target, overwrite: true);
            progress?.Report(new DownloadProgress(file.FileName, url, received, total, true));
            return null;
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            return e.InnerException is TimeoutException ? $"no connection within {Seconds(ConnectTimeout)}"
                : received == 0 ? $"no answer within {Seconds(ConnectTimeout + StallTimeout)}"
                : $"stalled after {received} bytes";
        }
        catch (HttpRequestException e)
        {
            return Describe(e);
        }
        catch (IOException)
        {
            return received == 0 ? "transfer failed" : $"connection lost after {received} bytes";
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    private string Describe(HttpRequestException e)
    {
        if (e.InnerException is TimeoutException || e.InnerException is OperationCanceledException)
        {
            return $"no connection within {Seconds(ConnectTimeout)}";
        }
        return e.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => "cannot resolve the host name, offline?",
            HttpRequestError.ConnectionError when e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused } =>
                "connection refused",
            HttpRequestError.ConnectionError => "could not connect",
            HttpRequestError.SecureConnectionError => "TLS handshake failed",
            _ => "request failed",
        };
    }

    private static string Seconds(TimeSpan t) => $"{t.TotalSeconds:0.#} s";

    private static string FailureMessage(DatasetEntry entry, DatasetFile file, string directory,
        IReadOnlyList<(Uri Mirror, string Reason)> failures)
    {
        var tried = failures.Count == 0
            ? "no mirrors are configured"
            : "tried " + string.Join("; ", failures.Select(f => $"{f.Mirror} ({f.Reason})"));
        var names = string.Join(", ", entry.Files.Select(f => f.FileName));
        var hint = entry.OfflineHint is null ? "" : $", {entry.OfflineHint}";
        return $"could not download {entry.Name} file {file.FileName}: {tried}. " +
            $"To go on without the network, copy {names} into {Path.GetFullPath(directory)}{hint}.";
    }

    /// <inheritdoc/>
    public void Dispose() => _http.Dispose();
}
