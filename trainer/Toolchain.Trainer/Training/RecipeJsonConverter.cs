using System.Text.Json;
using System.Text.Json.Serialization;

namespace Toolchain.Trainer.Training;

/// <summary>
/// Writes and reads a recipe enum as its <see cref="RecipeText"/> form, so a checkpoint's options and metrics.json keep
/// the words they had when these settings were strings ("adam", "cosine"), and checkpoints from then still load.
/// </summary>
public sealed class RecipeJsonConverter<T> : JsonConverter<T> where T : struct, Enum
{
    /// <inheritdoc />
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException(reader.TokenType == JsonTokenType.Null ? $"no {RecipeText.Noun<T>()} given" : $"the {RecipeText.Noun<T>()} is not text");
        }
        var text = reader.GetString();
        return RecipeText.Parse<T>(text) ?? throw new JsonException(RecipeText.Unknown<T>(text));
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        writer.WriteStringValue(RecipeText.OfAny(value));
}
