namespace LyftServing;

/// <summary>
/// An optional capability of model code: self-test cases written in code (LyftLearn Serving's
/// <c>test_data</c>). They run after every load, together with the cases of the artifact's
/// <c>testdata.json</c>.
/// </summary>
/// <typeparam name="TFeatures">The features type of the model.</typeparam>
/// <typeparam name="TOutput">The output type of the model.</typeparam>
public interface IModelTestData<TFeatures, TOutput>
{
    /// <summary>Gets the test cases. Read after <c>LoadAsync</c>, so cases may depend on the loaded artifact.</summary>
    IEnumerable<ModelTestCase<TFeatures, TOutput>> TestData { get; }
}
