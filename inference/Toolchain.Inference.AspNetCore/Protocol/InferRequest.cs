namespace Toolchain.Inference.AspNetCore.Protocol;

/// <summary>One input tensor of an inference request, its data already in the declared type's little-endian bytes.</summary>
/// <param name="Name">The input's name.</param>
/// <param name="Datatype">The declared data type, as the client wrote it.</param>
/// <param name="Shape">The declared shape.</param>
/// <param name="Data">The elements, row-major, little-endian, in the declared type.</param>
/// <param name="ElementCount">How many elements <paramref name="Data"/> holds (for BOOL and UINT8 also its length).</param>
internal sealed record InferInput(string Name, string Datatype, long[] Shape, ReadOnlyMemory<byte> Data, long ElementCount);

/// <summary>An output the client asks for: by name, as binary data or not, and as its top <c>classification</c> classes.</summary>
/// <param name="Name">The output's name.</param>
/// <param name="Binary">Whether it goes back as binary data (REST binary tensor extension); null follows the request's default.</param>
/// <param name="Classification">How many classes to return as "value:index:label" strings, or null for the raw tensor.</param>
internal sealed record RequestedOutput(string Name, bool? Binary, int? Classification);

/// <summary>An inference request of the Open Inference Protocol, whichever transport it came by.</summary>
internal sealed record InferRequest
{
    /// <summary>The request's <c>id</c>, echoed in the response; null when not given.</summary>
    public string? Id { get; init; }

    public required IReadOnlyList<InferInput> Inputs { get; init; }

    /// <summary>The outputs asked for; empty asks for every output.</summary>
    public IReadOnlyList<RequestedOutput> Outputs { get; init; } = [];

    /// <summary>The request-wide <c>binary_data_output</c>: outputs come back binary unless they say otherwise.</summary>
    public bool BinaryOutputs { get; init; }
}

/// <summary>One output tensor of a response: raw little-endian bytes, or strings for a classification.</summary>
/// <param name="Name">The output's name.</param>
/// <param name="Datatype">Its protocol data type.</param>
/// <param name="Shape">Its shape, batch first.</param>
/// <param name="Raw">Its elements as little-endian bytes, or null when it holds <paramref name="Strings"/>.</param>
/// <param name="Strings">The BYTES elements of a classification, else null.</param>
/// <param name="Binary">Whether the REST response carries it as binary data.</param>
internal sealed record InferOutput(string Name, string Datatype, long[] Shape, byte[]? Raw, string[]? Strings, bool Binary);

/// <summary>The answer to an <see cref="InferRequest"/>.</summary>
/// <param name="ModelName">The model that answered.</param>
/// <param name="ModelVersion">Its version (content-hash prefix).</param>
/// <param name="Id">The request's id, or null.</param>
/// <param name="Outputs">The outputs, in the order asked for (the graph's order when all were asked for).</param>
internal sealed record InferResponse(string ModelName, string ModelVersion, string? Id, IReadOnlyList<InferOutput> Outputs);
