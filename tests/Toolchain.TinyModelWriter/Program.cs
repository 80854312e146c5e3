using Toolchain.TestSupport;

// tiny-model <model.onnx> [<image.png>]: the TestSupport band classifier (labels "digit 0".."digit 9", the class is
// the band of columns that holds the ink; no preprocessing, so a band image stays in its band) with an integrity
// record, so it loads with the library's default verification on; and, when asked, a 28x28 PNG it classifies as
// "digit 3".
if (args.Length is < 1 or > 2)
{
    Console.Error.WriteLine("usage: tiny-model <model.onnx> [<image.png>]");
    return 2;
}
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(args[0]))!);
LabelledTinyModels.Write(args[0], "digit ", withIntegrity: true);
if (args.Length == 2)
{
    File.WriteAllBytes(args[1], LabelledTinyModels.Png(3));
}
Console.WriteLine(Path.GetFullPath(args[0]));
return 0;
