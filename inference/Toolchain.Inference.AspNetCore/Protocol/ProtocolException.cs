namespace Toolchain.Inference.AspNetCore.Protocol;

/// <summary>
/// A request the Open Inference Protocol endpoints refuse, with the HTTP status to answer (400 bad request, 404 unknown
/// model or version, 413, 429, 503) and the one-line reason that goes in <c>{"error": "..."}</c> or the gRPC status.
/// </summary>
internal sealed class ProtocolException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    public static ProtocolException BadRequest(string message) => new(StatusCodes.Status400BadRequest, message);

    public static ProtocolException NotFound(string message) => new(StatusCodes.Status404NotFound, message);
}
