using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Toolchain.Data.Tests;

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 with an ephemeral port: serves the bytes registered for each path,
/// 404 otherwise. Real sockets, so the downloader's connect and read paths are exercised as in production.
/// </summary>
internal sealed class LoopbackHttpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _requests = [];

    public LoopbackHttpServer(string prefix = "/mirror/")
    {
        Prefix = prefix;
        _listener.Start();
        var port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        BaseUri = new Uri($"http://127.0.0.1:{port}{prefix}");
        _ = Task.Run(AcceptLoop);
    }

    public string Prefix { get; }

    public Uri BaseUri { get; }

    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public void Serve(string fileName, byte[] content) => _files[Prefix + fileName] = content;

    /// <summary>A base URL on which nothing listens: connections are refused at once.</summary>
    public static Uri DeadMirror()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new Uri($"http://127.0.0.1:{port}/dead/");
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            _ = Task.Run(() => Handle(client));
        }
    }

    private async Task Handle(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var request = new StringBuilder();
                var buffer = new byte[4096];
                while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var n = await stream.ReadAsync(buffer);
                    if (n == 0)
                    {
                        return;
                    }
                    request.Append(Encoding.ASCII.GetString(buffer, 0, n));
                }
                var path = request.ToString().Split(' ')[1];
                lock (_requests)
                {
                    _requests.Add(path);
                }
                var found = _files.TryGetValue(path, out var body);
                body ??= Encoding.ASCII.GetBytes("not found");
                var head = $"HTTP/1.1 {(found ? "200 OK" : "404 Not Found")}\r\nContent-Length: {body.Length}\r\n" +
                    "Content-Type: application/octet-stream\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
                await stream.WriteAsync(body);
            }
            catch (IOException)
            {
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }
}
