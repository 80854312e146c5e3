using System.Net;
using System.Net.Http.Headers;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Service.Tests.Endpoints;

public sealed class ClassifyEndpointTests() : TinyModelServiceTests(("Classifier:Batching:MaxQueueDelayMicroseconds", "1000"))
{
    [Fact]
    public async Task A_png_body_is_answered_with_label_confidence_top_3_and_model_version()
    {
        using var response = await Service.PostImageAsync(LabelledTinyModels.Png(6));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var json = await RunningService.JsonAsync(response);
        Assert.Equal(["label", "confidence", "top_k", "model_version"], json.EnumerateObject().Select(p => p.Name));
        Assert.Equal("digit 6", json.GetProperty("label").GetString());
        var top = json.GetProperty("top_k").EnumerateArray().ToArray();
        Assert.Equal(3, top.Length);
        Assert.Equal("digit 6", top[0].GetProperty("label").GetString());
        Assert.Equal(json.GetProperty("confidence").GetSingle(), top[0].GetProperty("probability").GetSingle());
        Assert.True(top[0].GetProperty("probability").GetSingle() > top[1].GetProperty("probability").GetSingle());
        Assert.True(top[1].GetProperty("probability").GetSingle() >= top[2].GetProperty("probability").GetSingle());
        Assert.Equal(Service.Classifier.GetStatus().Version!.Id, json.GetProperty("model_version").GetString());
    }

    [Theory]
    [InlineData("?top_k=5", 5)]
    [InlineData("?top_k=1", 1)]
    [InlineData("?top_k=50", 10)]
    public async Task Top_k_sets_how_many_classes_are_listed_up_to_the_number_of_classes(string query, int expected)
    {
        using var response = await Service.PostImageAsync(LabelledTinyModels.Png(2), query: query);

        var json = await RunningService.JsonAsync(response);
        var probabilities = json.GetProperty("top_k").EnumerateArray().Select(t => t.GetProperty("probability").GetSingle()).ToArray();
        Assert.Equal(expected, probabilities.Length);
        Assert.Equal(probabilities.OrderByDescending(p => p), probabilities);
    }

    [Theory]
    [InlineData("?top_k=0")]
    [InlineData("?top_k=-2")]
    [InlineData("?top_k=three")]
    public async Task A_bad_top_k_is_a_400_problem(string query)
    {
        using var response = await Service.PostImageAsync(LabelledTinyModels.Png(2), query: query);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "top_k must be a whole number");
    }

    [Fact]
    public async Task A_multipart_form_file_is_classified_like_a_raw_body()
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(LabelledTinyModels.Png(8));
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(file, "image", "eight.png");

        using var response = await Service.Client.PostAsync("/v1/classify", form);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("digit 8", (await RunningService.JsonAsync(response)).GetProperty("label").GetString());
    }

    [Fact]
    public async Task A_multipart_form_without_a_file_is_a_400_problem()
    {
        using var form = new MultipartFormDataContent { { new StringContent("hello"), "note" } };

        using var response = await Service.Client.PostAsync("/v1/classify", form);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "no file part");
    }

    [Fact]
    public async Task A_bad_image_inside_a_multipart_form_is_a_400_naming_the_uploaded_file()
    {
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent("not a picture"u8.ToArray()), "image", "scan.png");

        using var response = await Service.Client.PostAsync("/v1/classify", form);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "uploaded file 'scan.png'");
    }

    [Fact]
    public async Task A_jpeg_body_is_accepted()
    {
        using var image = new Image<L8>(28, 28);
        var ink = TinyOnnxModels.ImageForClass(3);
        for (var y = 0; y < 28; y++)
        {
            for (var x = 0; x < 28; x++)
            {
                image[x, y] = new L8((byte)(ink[(y * 28) + x] * 255));
            }
        }
        using var jpeg = new MemoryStream();
        image.SaveAsJpeg(jpeg, new SixLabors.ImageSharp.Formats.Jpeg.JpegEncoder { Quality = 95 });

        using var response = await Service.PostImageAsync(jpeg.ToArray(), "image/jpeg");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("digit 3", (await RunningService.JsonAsync(response)).GetProperty("label").GetString());
    }

    /// <summary>The bad request called <paramref name="what"/>; built in the test, not at discovery, since xUnit would serialise 6 MB.</summary>
    private static (byte[] Body, string ContentType) BadRequest(string what)
    {
        var png = LabelledTinyModels.Png(1);
        var garbage = new byte[4096];
        new Random(7).NextBytes(garbage);
        return what switch
        {
            "empty body" => ([], "image/png"),
            "garbage bytes" => (garbage, "image/png"),
            "truncated png" => (png[..(png.Length / 2)], "image/png"),
            "60000x60000 header" => (TestImages.PngWithHugeHeader(), "image/png"),
            "1x40000000 strip" => (Strip.Value, "image/png"),
            "6 MB body" => (new byte[6 * 1024 * 1024], "image/png"),
            "text content type" => (png, "text/plain"),
            "json content type" => ("{}"u8.ToArray(), "application/json"),
            "webp naming 65536 groups" => (TestImages.LosslessWebpNamingGroup(65_535), "image/webp"),
            "truncated webp" => (TestImages.CwebpFixture("cwebp-lossless.webp")[..900], "image/webp"),
            _ => throw new ArgumentOutOfRangeException(nameof(what), what, null),
        };
    }

    [Theory]
    [InlineData("empty body", HttpStatusCode.BadRequest, "is empty (0 bytes)")]
    [InlineData("garbage bytes", HttpStatusCode.BadRequest, "request body: ")]
    [InlineData("truncated png", HttpStatusCode.BadRequest, "request body: ")]
    [InlineData("60000x60000 header", HttpStatusCode.BadRequest, "over the 16-megapixel limit")]
    [InlineData("1x40000000 strip", HttpStatusCode.BadRequest, "(40.0 megapixels), over the 16-megapixel limit")]
    [InlineData("6 MB body", HttpStatusCode.RequestEntityTooLarge, "over the 5 MB limit")]
    [InlineData("text content type", HttpStatusCode.UnsupportedMediaType, "'text/plain' is not accepted")]
    [InlineData("json content type", HttpStatusCode.UnsupportedMediaType, "image/webp as the body")]
    [InlineData("webp naming 65536 groups", HttpStatusCode.BadRequest, "65,536 Huffman groups")]
    [InlineData("truncated webp", HttpStatusCode.BadRequest, "is truncated")]
    public async Task Bad_input_gets_its_status_code_with_problem_details_and_the_service_keeps_serving(string what, HttpStatusCode status, string detail)
    {
        var (body, contentType) = BadRequest(what);

        using var response = await Service.PostImageAsync(body, contentType);

        await AssertProblemAsync(response, status, detail, what);
        using var after = await Service.PostImageAsync(LabelledTinyModels.Png(4));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task A_request_without_a_content_type_is_a_415()
    {
        using var response = await Service.Client.PostAsync("/v1/classify", new ByteArrayContent(LabelledTinyModels.Png(1)));

        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "is not accepted");
    }

    [Fact]
    public async Task A_chunked_body_over_5_MB_is_a_413()
    {
        var content = new StreamContent(new MemoryStream(new byte[6 * 1024 * 1024]));
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/classify") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await Service.Client.SendAsync(request);

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "over the 5 MB limit");
    }

    private static readonly Lazy<byte[]> Strip = new(() => TestImages.WhitePng(1, 40_000_000));

    [Fact]
    public async Task Sixteen_concurrent_PNGs_carrying_text_chunk_bombs_are_classified_like_the_clean_picture()
    {
        var clean = LabelledTinyModels.Png(6);
        var bombs = new[] { "zTXt", "iTXt", "iCCP" }.Select(t => TestImages.PngWithCompressedChunkBomb(clean, t, 64 << 20)).ToArray();

        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Service.PostImageAsync(bombs[i % bombs.Length])));

        foreach (var response in responses)
        {
            using (response)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("digit 6", (await RunningService.JsonAsync(response)).GetProperty("label").GetString());
            }
        }
    }

    internal static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string detail, string what = "")
    {
        Assert.True(status == response.StatusCode, $"{what}: expected {status}, got {response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var json = await RunningService.JsonAsync(response);
        Assert.Equal((int)status, json.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("title").GetString()));
        Assert.Contains(detail, json.GetProperty("detail").GetString());
    }
}
