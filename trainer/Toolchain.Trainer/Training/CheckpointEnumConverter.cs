using System.Text.Json;
using System.Text.Json.Serialization;
using Toolchain.Contracts;

namespace Toolchain.Trainer.Training;

/// <summary>
/// Reads the enums of a checkpoint's header by their <see cref="EnumText"/> spelling, as the enums' own
/// <see cref="JsonStringEnumConverter{TEnum}"/> does, but refuses a number and names a bad value and the choices
/// ("unknown optimizer 'rmsprop' (known: sgd, adam)"), so a damaged header is one line naming the problem rather than
/// the serializer's type name. Writing is the same text. Given in the checkpoint's options, it wins over the enums' own.
/// </summary>
internal sealed class CheckpointEnumConverter : JsonConverterFactory
{
    /// <inheritdoc />
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    /// <inheritdoc />
    public override JsonConverter? CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter?)Activator.CreateInstance(typeof(Converter<>).MakeGenericType(typeToConvert));

    private sealed class Converter<T> : JsonConverter<T> where T : struct, Enum
    {
        private static string Noun => RecipeText.NounOrNull<T>() ?? typeof(T).Name;

        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                throw new JsonException(reader.TokenType == JsonTokenType.Null ? $"no {Noun} given" : $"the {Noun} is not text");
            }
            var text = reader.GetString();
            // Recipe settings were always read exactly; the contract's words (element type) case-insensitively.
            return RecipeText.NounOrNull<T>() is null
                ? EnumText.Parse<T>(text) ?? throw new JsonException($"'{text}' is not {EnumText.Choices<T>()}")
                : EnumText.ParseExact<T>(text) ?? throw new JsonException(RecipeText.Unknown<T>(text));
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
            writer.WriteStringValue(EnumText.Of(value));
    }
}
