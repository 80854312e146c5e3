namespace Toolchain.Inference.Service.Tests.Protocol;

/// <summary>
/// A server of the Open Inference Protocol with the cnn, mlp and xor models, for checks that every such server passes:
/// the service (<see cref="ProtocolService"/>) and a host built on the packages' public calls alone
/// (<see cref="PackageProtocolHost"/>, as samples/OnnxClassifierService is).
/// </summary>
public interface IProtocolHost
{
    /// <summary>A client of the server.</summary>
    HttpClient Http { get; }

    /// <summary>The cnn model's file.</summary>
    string CnnPath { get; }

    /// <summary>The version id the classifier registered under <paramref name="key"/> serves now.</summary>
    string VersionOf(string key);

    /// <summary>Posts <paramref name="json"/> as application/json.</summary>
    Task<HttpResponseMessage> PostJsonAsync(string path, string json);

    /// <summary>Posts a JSON header followed by binary data, with Inference-Header-Content-Length, as tritonclient does.</summary>
    Task<HttpResponseMessage> PostBinaryAsync(string path, string json, byte[] binary, string? headerLength = null);
}
