using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Service.Tests.Protocol;

/// <summary>Inputs for the three test models and the answers worked out by hand.</summary>
internal static class ProtocolRequests
{
    /// <summary>The band image of <paramref name="label"/>, normalised as the card says: class <paramref name="label"/> for the band classifier.</summary>
    public static float[] Band(int label) => LabelledTinyModels.Input(label);

    public static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    public static string Numbers(IEnumerable<float> values) => string.Join(',', values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));

    public static string Numbers(IEnumerable<double> values) => string.Join(',', values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));

    /// <summary>A JSON request of one FP32 image input, flat data.</summary>
    public static string ImageJson(float[] pixels, string? outputs = null, string? id = null) =>
        $$"""{{{(id is null ? "" : $"\"id\":\"{id}\",")}}"inputs":[{"name":"input","shape":[1,1,28,28],"datatype":"FP32","data":[{{Numbers(pixels)}}]}]{{(outputs is null ? "" : $",\"outputs\":{outputs}")}}}""";

    public static byte[] Bytes(float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    public static byte[] Bytes(double[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    public static float[] Floats(JsonElement data) => data.EnumerateArray().Select(e => e.GetSingle()).ToArray();

    public static double[] Doubles(JsonElement data) => data.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    /// <summary>The output named <paramref name="name"/> of a response.</summary>
    public static JsonElement Output(JsonElement response, string name) =>
        response.GetProperty("outputs").EnumerateArray().Single(o => o.GetProperty("name").GetString() == name);

    public static long[] Shape(JsonElement tensor) => tensor.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
}
