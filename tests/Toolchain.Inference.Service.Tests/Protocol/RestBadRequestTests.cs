using System.Net;
using static Toolchain.Inference.Service.Tests.Protocol.ProtocolRequests;

namespace Toolchain.Inference.Service.Tests.Protocol;

/// <summary>Every bad REST inference request gets its 4xx with <c>{"error": ...}</c>, and the next good request still gets 200.</summary>
public abstract class RestBadRequestChecks<THost>(THost service)
    where THost : IProtocolHost
{
    public static TheoryData<string, string, string> JsonCases() => new()
    {
        { "mlp", "{bad json", "not valid JSON" },
        { "mlp", "[1,2]", "must be a JSON object" },
        { "mlp", "{}", "needs an 'inputs' array" },
        { "mlp", """{"inputs":[{"name":"pixels","datatype":"FP32","shape":[1,1,28,28],"data":[0]}]}""", "unknown input 'pixels'" },
        { "mlp", """{"inputs":[{"name":"input","datatype":"FP64","shape":[1,1,28,28],"data":[0]}]}""", "has datatype FP64; the model takes FP32" },
        { "xor", """{"inputs":[{"name":"input","datatype":"FP32","shape":[1,2],"data":[0,1]}]}""", "has datatype FP32; the model takes FP64" },
        { "xor", """{"inputs":[{"name":"input","datatype":"COMPLEX","shape":[1,2],"data":[0,1]}]}""", "unknown datatype 'COMPLEX'" },
        { "xor", """{"inputs":[{"name":"input","datatype":"FP64","shape":[1,3],"data":[0,1,2]}]}""", "the model takes [-1,2]" },
        { "xor", """{"inputs":[{"name":"input","datatype":"FP64","shape":[2],"data":[0,1]}]}""", "the model takes [-1,2]" },
        { "xor", """{"inputs":[{"name":"input","datatype":"FP64","shape":[2,2],"data":[0,1,1]}]}""", "holds 3 elements but its shape [2,2] needs 4" },
        { "xor", """{"inputs":[{"name":"input","datatype":"FP64","shape":[1,2],"data":[0,"one"]}]}""", "element 1 (\"one\") is not a FP64 value" },
        { "xor", """{"inputs":[{"name":"input","datatype":"FP64","shape":[1,2],"data":[0,NaN]}]}""", "not valid JSON" },
        { "xor", """{"inputs":[{"name":"input","datatype":"FP64","shape":[65,2],"data":[0,1]}]}""", "a batch of 65; this model takes 1 to 64 rows" },
        { "xor", """{"inputs":[{"name":"input","datatype":"FP64","shape":[0,2],"data":[]}]}""", "a batch of 0" },
        { "xor", """{"inputs":[{"name":"input","datatype":"FP64","shape":[1,-2],"data":[0,1]}]}""", "non-negative whole numbers" },
        { "xor", """{"inputs":[{"name":"input","datatype":"FP64","shape":[1,2],"data":[0,1]}],"outputs":[{"name":"logits"}]}""", "unknown output 'logits'" },
        { "xor", """{"inputs":[{"name":"input","datatype":"FP64","shape":[1,2],"data":[0,1]}],"outputs":[{"name":"probability","parameters":{"classification":2}}]}""", "classification must be between 1 and 1" },
        { "xor", """{"id":5,"inputs":[{"name":"input","datatype":"FP64","shape":[1,2],"data":[0,1]}]}""", "'id' must be a string" },
        { "xor", """{"inputs":[{"name":"input","datatype":"FP64","shape":[1,2]}]}""", "has no 'data'" },
        // A 100 MB tensor declared in a small body: refused from the declaration, nothing allocated for it.
        { "mlp", """{"inputs":[{"name":"input","datatype":"FP32","shape":[33500,1,28,28],"parameters":{"binary_data_size":105056000}}]}""", "runs past the end of the body" },
        { "mlp", """{"inputs":[{"name":"input","datatype":"FP32","shape":[33500,1,28,28],"data":[0]}]}""", "a batch of 33500" },
    };

    [Theory]
    [MemberData(nameof(JsonCases))]
    public async Task BadJsonRequestsGet400AndTheNextGoodOne200(string model, string body, string expected)
    {
        using var bad = await service.PostJsonAsync($"/v2/models/{model}/infer", body);
        await AssertErrorAsync(bad, HttpStatusCode.BadRequest, expected);
        await AssertGoodAsync();
    }

    public static TheoryData<string, int, string?, string> BinaryCases() => new()
    {
        // binary_data_size beyond the body
        { """{"inputs":[{"name":"input","datatype":"FP64","shape":[1,2],"parameters":{"binary_data_size":32}}]}""", 16, null, "binary_data_size 32 runs past the end of the body (16 bytes" },
        // header length beyond the body
        { """{"inputs":[{"name":"input","datatype":"FP64","shape":[1,2],"parameters":{"binary_data_size":16}}]}""", 16, "100000", "says the JSON header is 100000 bytes but the body has only" },
        { """{"inputs":[{"name":"input","datatype":"FP64","shape":[1,2],"parameters":{"binary_data_size":16}}]}""", 16, "-3", "must be a positive whole number" },
        // element count differs from the shape
        { """{"inputs":[{"name":"input","datatype":"FP64","shape":[2,2],"parameters":{"binary_data_size":16}}]}""", 16, null, "holds 2 elements but its shape [2,2] needs 4" },
        { """{"inputs":[{"name":"input","datatype":"FP64","shape":[1,2],"parameters":{"binary_data_size":12}}]}""", 12, null, "is not a whole number of FP64 elements" },
        // bytes no input claims
        { """{"inputs":[{"name":"input","datatype":"FP64","shape":[1,2],"parameters":{"binary_data_size":16}}]}""", 24, null, "8 bytes of binary data follow the inputs" },
    };

    [Theory]
    [MemberData(nameof(BinaryCases))]
    public async Task BadBinaryRequestsGet400AndTheNextGoodOne200(string header, int binaryBytes, string? headerLength, string expected)
    {
        using var bad = await service.PostBinaryAsync("/v2/models/xor/infer", header, new byte[binaryBytes], headerLength);
        await AssertErrorAsync(bad, HttpStatusCode.BadRequest, expected);
        await AssertGoodAsync();
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public async Task NaNInFp32Gets400(float poison)
    {
        var pixels = Band(3);
        pixels[100] = poison;
        using var bad = await service.PostBinaryAsync("/v2/models/mlp/infer",
            """{"inputs":[{"name":"input","datatype":"FP32","shape":[1,1,28,28],"parameters":{"binary_data_size":3136}}]}""", Bytes(pixels));
        await AssertErrorAsync(bad, HttpStatusCode.BadRequest, "holds NaN or infinity at element 100");
        await AssertGoodAsync();
    }

    [Theory]
    [InlineData("/v2/models/nope/infer", "unknown model 'nope'")]
    [InlineData("/v2/models/xor/versions/0123456789ab/infer", "has no version '0123456789ab'")]
    public async Task UnknownModelOrVersionGets404(string path, string expected)
    {
        using var bad = await service.PostJsonAsync(path, """{"inputs":[{"name":"input","datatype":"FP64","shape":[1,2],"data":[0,1]}]}""");
        await AssertErrorAsync(bad, HttpStatusCode.NotFound, expected);
        await AssertGoodAsync();
    }

    [Fact]
    public async Task BodyOverTheLimitGets413()
    {
        using var bad = await service.PostBinaryAsync("/v2/models/mlp/infer",
            """{"inputs":[{"name":"input","datatype":"FP32","shape":[1,1,28,28],"parameters":{"binary_data_size":6000000}}]}""", new byte[6_000_000]);
        await AssertErrorAsync(bad, HttpStatusCode.RequestEntityTooLarge, "over the 5 MB limit");
        await AssertGoodAsync();
    }

    private static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string expected)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var error = (await ProtocolService.JsonAsync(response)).GetProperty("error").GetString();
        Assert.Contains(expected, error);
        Assert.DoesNotContain('\n', error!);
    }

    private async Task AssertGoodAsync()
    {
        using var good = await service.PostJsonAsync("/v2/models/xor/infer", """{"inputs":[{"name":"input","datatype":"FP64","shape":[1,2],"data":[1,1]}]}""");
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        Assert.Equal(Sigmoid(1), Doubles(Output(await ProtocolService.JsonAsync(good), "probability").GetProperty("data"))[0]);
    }
}

/// <summary>The checks against the service.</summary>
public sealed class RestBadRequestTests(ProtocolService service) : RestBadRequestChecks<ProtocolService>(service), IClassFixture<ProtocolService>;

/// <summary>The same checks against a host on the packages' public calls alone (samples/OnnxClassifierService's way).</summary>
public sealed class PackageRestBadRequestTests(PackageProtocolHost host) : RestBadRequestChecks<PackageProtocolHost>(host), IClassFixture<PackageProtocolHost>;
