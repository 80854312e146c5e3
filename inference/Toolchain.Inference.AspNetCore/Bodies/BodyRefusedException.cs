namespace Toolchain.Inference.AspNetCore.Bodies;

/// <summary>A request body that is not read: too large (413), in an encoding the service does not decode (415), malformed (400), or past the <see cref="BodyBudget"/> (429).</summary>
public sealed class BodyRefusedException(int statusCode, string title, string message) : Exception(message)
{
    /// <summary>The HTTP status to answer with: 400, 413, 415 or 429.</summary>
    public int StatusCode { get; } = statusCode;

    /// <summary>A short title for problem details (/v1).</summary>
    public string Title { get; } = title;

    /// <summary>The refusal of a body over <see cref="BodyLimits.MaxBodyBytes"/> (413).</summary>
    public static BodyRefusedException TooLarge() => new(StatusCodes.Status413PayloadTooLarge, "Request body too large",
        $"the request body is over the {BodyLimits.MaxBodyBytes / 1024 / 1024} MB limit");

    internal static BodyRefusedException Malformed(string reason) => new(StatusCodes.Status400BadRequest, "Malformed request body",
        $"the request body cannot be read: {ClientText.Echo(reason)}");
}
