using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Service.Tests.Endpoints;

/// <summary>
/// /v1/classify bodies under a small body budget (Limits:RequestBodyBudgetBytes): a large body past what the process
/// may hold at once gets 429 with Retry-After, ordinary small ones never count; gzip bodies are decoded.
/// </summary>
public sealed class UploadBodyTests() : TinyModelServiceTests((ServiceApp.BodyBudgetKey, "100000"))
{
    [Fact]
    public async Task A_body_past_the_budget_gets_429_and_a_small_one_still_200()
    {
        var large = new byte[200_000];
        LabelledTinyModels.Png(5).CopyTo(large, 0);

        using var refused = await Service.PostImageAsync(large);
        using var small = await Service.PostImageAsync(LabelledTinyModels.Png(5));

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("1", refused.Headers.RetryAfter?.ToString());
        Assert.Contains("no room for this one now", (await RunningService.JsonAsync(refused)).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, small.StatusCode);
    }

    [Fact]
    public async Task A_gzip_image_body_is_decoded_and_another_encoding_gets_415()
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest))
        {
            gzip.Write(LabelledTinyModels.Png(6));
        }
        var gzipped = new ByteArrayContent(buffer.ToArray());
        gzipped.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        gzipped.Headers.ContentEncoding.Add("gzip");
        var brotli = new ByteArrayContent(buffer.ToArray());
        brotli.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        brotli.Headers.ContentEncoding.Add("br");

        using var decoded = await Service.Client.PostAsync("/v1/classify", gzipped);
        using var refused = await Service.Client.PostAsync("/v1/classify", brotli);

        Assert.Equal(HttpStatusCode.OK, decoded.StatusCode);
        Assert.Equal("digit 6", (await RunningService.JsonAsync(decoded)).GetProperty("label").GetString());
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, refused.StatusCode);
    }

    [Fact]
    public async Task Text_echoed_in_a_problem_is_capped()
    {
        using var response = await Service.PostImageAsync([1, 2, 3], "text/" + new string('x', 10_000));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        var detail = (await RunningService.JsonAsync(response)).GetProperty("detail").GetString()!;
        Assert.Contains("(10005 characters)", detail);
        Assert.True(detail.Length < 500, $"{detail.Length} characters");
    }
}
