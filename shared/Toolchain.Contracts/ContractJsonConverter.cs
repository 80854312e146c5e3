using System.Text.Json;
using System.Text.Json.Serialization;

namespace Toolchain.Contracts;

/// <summary>
/// Writes and reads a contract enum as its card text ("multiclass", "float32", "NCHW", "digit", "cpu"), so JSON reports
/// and API answers use the same words as the card and the command-line flags.
/// </summary>
public sealed class ContractJsonConverter<T> : JsonConverter<T> where T : struct, Enum
{
    /// <inheritdoc />
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        return ContractText.Parse<T>(text) ?? throw new JsonException($"'{text}' is not {ContractText.Choices<T>()}");
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        writer.WriteStringValue(ContractText.OfAny(value));
}
