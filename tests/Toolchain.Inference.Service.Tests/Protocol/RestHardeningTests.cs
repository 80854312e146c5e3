using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using static Toolchain.Inference.Service.Tests.Protocol.ProtocolRequests;

namespace Toolchain.Inference.Service.Tests.Protocol;

/// <summary>
/// Issue 21's second fuzz pass against REST inference: bytes that are not UTF-8 and lone surrogates in any string,
/// data past the declared shape or the model's capacity, ragged data, repeated keys, client text echoed without a cap,
/// and compressed bodies. Each bad request gets its 4xx with one line, and the next good request still gets 200.
/// </summary>
public abstract class RestHardeningChecks<THost>(THost service)
    where THost : IProtocolHost
{
    private const string Good = """{"inputs":[{"name":"input","datatype":"FP64","shape":[1,2],"data":[1,1]}]}""";

    public static TheoryData<string, string> BadTextCases() => new()
    {
        // {0} is where the bad bytes go: every string field the service reads, and strings it only skips.
        { """{"inputs":[{"name":"{0}","datatype":"FP64","shape":[1,2],"data":[0,1]}]}""", "input name" },
        { """{"inputs":[{"name":"input","datatype":"FP{0}","shape":[1,2],"data":[0,1]}]}""", "datatype" },
        { """{"id":"{0}","inputs":[{"name":"input","datatype":"FP64","shape":[1,2],"data":[0,1]}]}""", "id" },
        { """{"inputs":[{"name":"input","datatype":"FP64","shape":[1,2],"data":[0,1]}],"outputs":[{"name":"{0}"}]}""", "output name" },
        { """{"parameters":{"note":"{0}"},"inputs":[{"name":"input","datatype":"FP64","shape":[1,2],"data":[0,1]}]}""", "request parameter" },
        { """{"inputs":[{"name":"input","datatype":"FP64","shape":[1,2],"data":[0,1],"parameters":{"x":["{0}"]}}]}""", "input parameter" },
        { """{"extra":{"{0}":1},"inputs":[{"name":"input","datatype":"FP64","shape":[1,2],"data":[0,1]}]}""", "property name" },
    };

    [Theory]
    [MemberData(nameof(BadTextCases))]
    public async Task Invalid_utf8_in_any_string_gets_400(string template, string where)
    {
        foreach (var bad in new[] { new byte[] { 0xFF }, [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE2, 0x82] })
        {
            using var response = await PostBytesAsync(Fill(template, bad));
            await AssertErrorAsync(response, HttpStatusCode.BadRequest, "not UTF-8");
        }
        await AssertGoodAsync();
        Assert.NotEmpty(where);
    }

    [Theory]
    [InlineData("""{"id":"\ud800","inputs":[{"name":"input","datatype":"FP64","shape":[1,2],"data":[0,1]}]}""", "'id' is not valid text")]
    [InlineData("""{"inputs":[{"name":"\udc00","datatype":"FP64","shape":[1,2],"data":[0,1]}]}""", "'name' is not valid text")]
    [InlineData("""{"inputs":[{"name":"input","datatype":"\ud800FP64","shape":[1,2],"data":[0,1]}]}""", "'datatype' is not valid text")]
    [InlineData("""{"inputs":[{"name":"input","datatype":"FP64","shape":[1,2],"data":[0,1]}],"outputs":[{"name":"\ud800x"}]}""", "'name' is not valid text")]
    public async Task A_lone_surrogate_escape_gets_400(string body, string expected)
    {
        using var response = await PostBytesAsync(Encoding.ASCII.GetBytes(body));
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, expected);
        await AssertGoodAsync();
    }

    [Fact]
    public async Task Data_past_the_declared_shape_is_refused_at_the_first_excess()
    {
        var body = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,2],\"datatype\":\"FP64\",\"data\":[" + string.Join(',', Enumerable.Repeat("0", 1_000_000)) + "]}]}";

        using var response = await service.PostJsonAsync("/v2/models/xor/infer", body);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "holds more than 2 elements but its shape [1,2] needs 2");
        await AssertGoodAsync();
    }

    [Fact]
    public async Task Data_written_before_its_shape_is_read_and_counted_against_the_model()
    {
        // Keys in alphabetical order, as clients serialising a map write them: data comes before datatype and shape.
        using var good = await service.PostJsonAsync("/v2/models/xor/infer",
            """{"inputs":[{"data":[[0,0],[1,1]],"datatype":"FP64","name":"input","shape":[2,2]}]}""");
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        Assert.Equal([Sigmoid(-1), Sigmoid(1)], Doubles(Output(await ProtocolService.JsonAsync(good), "probability").GetProperty("data")));

        // The xor takes at most 64 rows of 2: 129 elements are refused whatever the shape says, before the shape is read.
        var body = "{\"inputs\":[{\"data\":[" + string.Join(',', Enumerable.Repeat("0", 129)) + "],\"datatype\":\"FP64\",\"name\":\"input\",\"shape\":[1,2]}]}";
        using var bad = await service.PostJsonAsync("/v2/models/xor/infer", body);
        await AssertErrorAsync(bad, HttpStatusCode.BadRequest, "hold more than 128 elements, the most model 'xor' takes (64 rows of 2)");
        await AssertGoodAsync();
    }

    [Fact]
    public async Task Binary_data_larger_than_the_model_takes_is_refused_before_it_is_read()
    {
        using var response = await service.PostBinaryAsync("/v2/models/xor/infer",
            """{"inputs":[{"name":"input","datatype":"FP64","shape":[1,2],"parameters":{"binary_data_size":4000000}}]}""", new byte[4_000_000]);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "hold more than 128 elements");
        await AssertGoodAsync();
    }

    [Theory]
    [InlineData("[[0,1],[1]]", "an array at depth 2 holds 1 items where the first held 2")]
    [InlineData("[[0,1],[1,1,0]]", "an array at depth 2 holds 3 items where the first held 2")]
    [InlineData("[0,[1,1,0]]", "it holds an array where its other items are numbers")]
    [InlineData("[[0,1,1],0]", "it holds numbers at more than one depth")]
    [InlineData("[[[0,1]],[[1,1],[0,1]]]", "an array at depth 2 holds 2 items where the first held 1")]
    public async Task Ragged_nested_data_gets_400(string data, string expected)
    {
        using var response = await service.PostJsonAsync("/v2/models/xor/infer",
            $$"""{"inputs":[{"name":"input","datatype":"FP64","shape":[4,2],"data":{{data}}}]}""");

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "'data' is ragged: " + expected);
        await AssertGoodAsync();
    }

    [Theory]
    [InlineData("""{"inputs":[{"name":"input","datatype":"FP64","shape":[1,2],"data":[0,1]}],"inputs":[]}""", "'inputs' is given twice")]
    [InlineData("""{"inputs":[{"name":"input","name":"other","datatype":"FP64","shape":[1,2],"data":[0,1]}]}""", "an input's 'name' is given twice")]
    [InlineData("""{"inputs":[{"name":"input","datatype":"FP64","shape":[1,2],"data":[0,1],"data":[1,1]}]}""", "input 'input''s 'data' is given twice")]
    public async Task A_key_given_twice_gets_400(string body, string expected)
    {
        using var response = await service.PostJsonAsync("/v2/models/xor/infer", body);
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, expected);
    }

    [Fact]
    public async Task More_inputs_than_a_request_may_name_get_400()
    {
        var input = """{"name":"input","datatype":"FP64","shape":[1,2],"data":[0,1]}""";
        using var response = await service.PostJsonAsync("/v2/models/xor/infer", $$"""{"inputs":[{{string.Join(',', Enumerable.Repeat(input, 65))}}]}""");
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "more than 64 inputs");
    }

    public static TheoryData<string, string, string> EchoCases()
    {
        // Under System.Uri's 65,519 characters, so that the name can be in a path too.
        var longName = new string('n', 20_000);
        var manyDims = string.Join(',', Enumerable.Repeat("1", 100_000));
        var shape = string.Join(',', Enumerable.Repeat("1", 31)) + ",99999999";
        return new()
        {
            { $"/v2/models/{longName}/infer", Good, "unknown model 'nnnn" },
            { "/v2/models/xor/infer", $$"""{"inputs":[{"name":"{{longName}}","datatype":"FP64","shape":[1,2],"data":[0,1]}]}""", "is 20000 bytes long" },
            { "/v2/models/xor/infer", $$"""{"inputs":[{"name":"{{longName[..4000]}}","datatype":"FP64","shape":[1,2],"data":[0,1]}]}""", "unknown input 'nnnn" },
            { "/v2/models/xor/infer", $$"""{"inputs":[{"name":"input","datatype":"{{longName[..4000]}}","shape":[1,2],"data":[0,1]}]}""", "unknown datatype 'nnnn" },
            { "/v2/models/xor/infer", $$"""{"inputs":[{"name":"input","datatype":"FP64","shape":[1,2],"data":[0,1]}],"outputs":[{"name":"{{longName[..4000]}}"}]}""", "unknown output 'nnnn" },
            { "/v2/models/xor/infer", $$"""{"inputs":[{"name":"input","datatype":"FP64","shape":[{{shape}}],"data":[0,1]}]}""", "has shape [1,1,1" },
            { "/v2/models/xor/infer", $$"""{"id":"{{longName[..201]}}","inputs":[{"name":"input","datatype":"FP64","shape":[1,2],"data":[0,1]}]}""", "'id' is 201 characters long; at most 200" },
            { $"/v2/{longName}", Good, "no such endpoint: POST /v2/nnnn" },
            { "/v2/models/xor/infer", $$"""{"inputs":[{"name":"input","datatype":"FP64","shape":[{{manyDims}}],"data":[0,1]}]}""", "shape has more than 32 dimensions" },
            { "/v2/models/xor/infer", $$"""{"inputs":[{"name":"input","datatype":"FP64","shape":[1,2],"data":[0,1],"pad":"{{new string('p', 300_000)}}"}]}""", "a JSON token (or a run of white space) of more than 256 KB" },
        };
    }

    [Theory]
    [MemberData(nameof(EchoCases))]
    public async Task Client_text_is_echoed_at_most_about_200_characters(string path, string body, string expected)
    {
        using var response = await service.PostJsonAsync(path, body);

        Assert.InRange((int)response.StatusCode, 400, 499);
        var error = (await ProtocolService.JsonAsync(response)).GetProperty("error").GetString()!;
        Assert.Contains(expected, error);
        Assert.True(error.Length < 500, $"{error.Length} characters: {error[..Math.Min(100, error.Length)]}...");
        Assert.DoesNotContain('\n', error);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    public async Task Compressed_bodies_are_decoded(string encoding)
    {
        using var response = await PostBytesAsync(Compress(Encoding.UTF8.GetBytes(Good), encoding), encoding);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Sigmoid(1), Doubles(Output(await ProtocolService.JsonAsync(response), "probability").GetProperty("data"))[0]);
    }

    [Fact]
    public async Task A_compression_bomb_stops_at_the_body_limit()
    {
        // 20 MB of an array nobody reads: 20 KB on the wire, over the 5 MB limit once decoded.
        var bomb = Encoding.UTF8.GetBytes("{\"inputs\":[],\"pad\":[" + new StringBuilder().Insert(0, "0,", 10 * 1024 * 1024) + "0]}");
        using var response = await PostBytesAsync(Compress(bomb, "gzip"), "gzip");

        await AssertErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "over the 5 MB limit");
        await AssertGoodAsync();
    }

    [Theory]
    [InlineData("br", HttpStatusCode.UnsupportedMediaType, "Content-Encoding 'br' is not accepted")]
    [InlineData("gzip", HttpStatusCode.BadRequest, "is not valid gzip data")]
    public async Task Other_encodings_get_415_and_broken_ones_400(string encoding, HttpStatusCode status, string expected)
    {
        using var response = await PostBytesAsync([0x1F, 0x8B, 0x00, 0x01, 0x02, 0x03], encoding);
        await AssertErrorAsync(response, status, expected);
        await AssertGoodAsync();
    }

    private static byte[] Fill(string template, byte[] bad)
    {
        var at = template.IndexOf("{0}", StringComparison.Ordinal);
        return [.. Encoding.ASCII.GetBytes(template[..at]), .. bad, .. Encoding.ASCII.GetBytes(template[(at + 3)..])];
    }

    private static byte[] Compress(byte[] data, string encoding)
    {
        using var buffer = new MemoryStream();
        using (Stream compressor = encoding == "gzip" ? new GZipStream(buffer, CompressionLevel.Fastest) : new ZLibStream(buffer, CompressionLevel.Fastest))
        {
            compressor.Write(data);
        }
        return buffer.ToArray();
    }

    private Task<HttpResponseMessage> PostBytesAsync(byte[] body, string? encoding = null)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (encoding is not null)
        {
            content.Headers.ContentEncoding.Add(encoding);
        }
        return service.Http.PostAsync("/v2/models/xor/infer", content);
    }

    private static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string expected)
    {
        Assert.Equal(status, response.StatusCode);
        var error = (await ProtocolService.JsonAsync(response)).GetProperty("error").GetString();
        Assert.Contains(expected, error);
        Assert.DoesNotContain('\n', error!);
    }

    private async Task AssertGoodAsync()
    {
        using var good = await service.PostJsonAsync("/v2/models/xor/infer", Good);
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
    }
}

/// <summary>The checks against the service.</summary>
public sealed class RestHardeningTests(ProtocolService service) : RestHardeningChecks<ProtocolService>(service), IClassFixture<ProtocolService>;

/// <summary>The same checks against a host on the packages' public calls alone (samples/OnnxClassifierService's way).</summary>
public sealed class PackageRestHardeningTests(PackageProtocolHost host) : RestHardeningChecks<PackageProtocolHost>(host), IClassFixture<PackageProtocolHost>;
