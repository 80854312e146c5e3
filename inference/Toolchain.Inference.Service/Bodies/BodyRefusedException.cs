namespace Toolchain.Inference.Service.Bodies;

/// <summary>A request body that is not read: too large (413), in an encoding the service does not decode (415), malformed (400), or past the <see cref="BodyBudget"/> (429).</summary>
internal sealed class BodyRefusedException(int statusCode, string title, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    /// <summary>A short title for problem details (/v1).</summary>
    public string Title { get; } = title;

    public static BodyRefusedException TooLarge() => new(StatusCodes.Status413PayloadTooLarge, "Request body too large",
        $"the request body is over the {ServiceLimits.MaxBodyBytes / 1024 / 1024} MB limit");

    public static BodyRefusedException Malformed(string reason) => new(StatusCodes.Status400BadRequest, "Malformed request body",
        $"the request body cannot be read: {ClientText.Echo(reason)}");
}
