/**
 * The four datasets of the study: their shapes, files, official download addresses and
 * checksums, and the caveats of the copy in ../shared/datasets (see its README).
 * Plain data: used by the data-preparation tool (Node) and by the studio (browser) alike.
 */
import type { InputShape, Preprocessing, Split } from '../types';

export type FileFormat = 'idx-images' | 'idx-labels' | 'cifar10-bin' | 'cifar100-bin' | 'text-lines';

export interface DatasetFile {
  /** Name of the file the studio serves, gzip-compressed (except text files). */
  name: string;
  format: FileFormat;
  split: Split | 'meta';
  records?: number;
}

export interface OfficialSource {
  url: string;
  md5: string;
  /** 'gz': one gzip file per DatasetFile (the file's name in the URL); 'tar.gz': one archive holding all files. */
  packaging: 'gz' | 'tar.gz';
  /** For tar.gz: the folder inside the archive. */
  archiveDir?: string;
}

/** A caveat shown next to every figure computed on the matching records. */
export interface DataCaveat {
  split: Split;
  /** Records [from, to) the caveat applies to. */
  from: number;
  to: number;
  text: string;
}

/** A dataset as declared below; `DatasetDescriptor` is the same with its id typed as one of them. */
interface DatasetEntry<Id extends string = string> {
  id: Id;
  label: string;
  shape: InputShape;
  numClasses: number;
  trainCount: number;
  testCount: number;
  files: DatasetFile[];
  /** Per official file (keyed by DatasetFile.name) for 'gz'; one entry keyed '*' for 'tar.gz'. */
  official: Record<string, OfficialSource>;
  /** sha256 of the gzip files in ../shared/datasets, where the shared copy has the dataset. */
  sharedSha256?: Record<string, string>;
  classNames?: string[];
  preprocessing: Preprocessing;
  /** The exact test records headline figures use. */
  headlineTest: { first: number; count: number };
  caveats: DataCaveat[];
}

const MNIST_BASE = 'https://ossci-datasets.s3.amazonaws.com/mnist/';
const FASHION_BASE = 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/';

function idxFiles(): DatasetFile[] {
  return [
    { name: 'train-images-idx3-ubyte.gz', format: 'idx-images', split: 'train', records: 60000 },
    { name: 'train-labels-idx1-ubyte.gz', format: 'idx-labels', split: 'train', records: 60000 },
    { name: 't10k-images-idx3-ubyte.gz', format: 'idx-images', split: 'test', records: 10000 },
    { name: 't10k-labels-idx1-ubyte.gz', format: 'idx-labels', split: 'test', records: 10000 },
  ];
}

/** The ids are read off the entries (DatasetId), so the list of datasets is written once, here. */
function defineDatasets<const Id extends string>(entries: readonly DatasetEntry<Id>[]): readonly DatasetEntry<Id>[] {
  return entries;
}

export const DATASETS = defineDatasets([
  {
    id: 'mnist',
    label: 'MNIST',
    shape: [28, 28, 1],
    numClasses: 10,
    trainCount: 60000,
    testCount: 10000,
    files: idxFiles(),
    official: {
      'train-images-idx3-ubyte.gz': { url: `${MNIST_BASE}train-images-idx3-ubyte.gz`, md5: 'f68b3c2dcbeaaa9fbdd348bbdeb94873', packaging: 'gz' },
      'train-labels-idx1-ubyte.gz': { url: `${MNIST_BASE}train-labels-idx1-ubyte.gz`, md5: 'd53e105ee54ea40749a09fcbcd1e9432', packaging: 'gz' },
      't10k-images-idx3-ubyte.gz': { url: `${MNIST_BASE}t10k-images-idx3-ubyte.gz`, md5: '9fb629c4189551a2d022fa330f9573f3', packaging: 'gz' },
      't10k-labels-idx1-ubyte.gz': { url: `${MNIST_BASE}t10k-labels-idx1-ubyte.gz`, md5: 'ec29112dd5afa0611ce80d1b7f02629c', packaging: 'gz' },
    },
    sharedSha256: {
      'train-images-idx3-ubyte.gz': '0b367032e93c5d0cea0925647cfdb18614af8ee15f83e6f2fc2ad904a6835971',
      'train-labels-idx1-ubyte.gz': '1787548bbe0bff1ec2ecdc0ef292b02df999e2d1a6002d27500982c652b17203',
      't10k-images-idx3-ubyte.gz': '1a1a05eab793c14bb050b398624a11b0ffd1a2953baed553b1b9bd079e2a20be',
      't10k-labels-idx1-ubyte.gz': 'b91679a0acfe4ba0e50a2437a903084cba1f5f92592b016a25a7dfd00455798b',
    },
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    preprocessing: { kind: 'scale', scale: 1 / 255 },
    headlineTest: { first: 0, count: 10000 },
    caveats: [],
  },
  {
    id: 'fashion-mnist',
    label: 'Fashion-MNIST',
    shape: [28, 28, 1],
    numClasses: 10,
    trainCount: 60000,
    testCount: 10000,
    files: idxFiles(),
    official: {
      'train-images-idx3-ubyte.gz': { url: `${FASHION_BASE}train-images-idx3-ubyte.gz`, md5: '8d4fb7e6c68d591d4c3dfef9ec88bf0d', packaging: 'gz' },
      'train-labels-idx1-ubyte.gz': { url: `${FASHION_BASE}train-labels-idx1-ubyte.gz`, md5: '25c81989df183df01b3e8a0aad5dffbe', packaging: 'gz' },
      't10k-images-idx3-ubyte.gz': { url: `${FASHION_BASE}t10k-images-idx3-ubyte.gz`, md5: 'bef4ecab320f06d8554ea6380940ec79', packaging: 'gz' },
      't10k-labels-idx1-ubyte.gz': { url: `${FASHION_BASE}t10k-labels-idx1-ubyte.gz`, md5: 'bb300cfdad3c16e7a12a480ee83cd310', packaging: 'gz' },
    },
    sharedSha256: {
      'train-images-idx3-ubyte.gz': 'f46450982819e161325683178a5324fc64e606fb3758c65c6ca7dcc91aa489fd',
      'train-labels-idx1-ubyte.gz': 'bee2410e017aef275ad0716cfa389481fe80dd89f974536e863d982da161f14c',
      't10k-images-idx3-ubyte.gz': '55ec2dd7358c56fba81678bf2cd00a44de07bae64c342921600298a2b5eb517d',
      't10k-labels-idx1-ubyte.gz': 'bad34aa92450454a281e4959ab5a22f03213e21212f4261dadf52e42fa6cd580',
    },
    classNames: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
    preprocessing: { kind: 'scale', scale: 1 / 255 },
    headlineTest: { first: 0, count: 10000 },
    caveats: [],
  },
  {
    id: 'cifar10',
    label: 'CIFAR-10',
    shape: [32, 32, 3],
    numClasses: 10,
    trainCount: 50000,
    testCount: 10000,
    files: [
      ...[1, 2, 3, 4, 5].map((i) => ({ name: `data_batch_${i}.bin.gz`, format: 'cifar10-bin' as const, split: 'train' as const, records: 10000 })),
      { name: 'test_batch.bin.gz', format: 'cifar10-bin', split: 'test', records: 10000 },
      { name: 'batches.meta.txt', format: 'text-lines', split: 'meta' },
    ],
    official: { '*': { url: 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz', md5: 'c32a1d4ab5d03f1284b67883e8d87530', packaging: 'tar.gz', archiveDir: 'cifar-10-batches-bin' } },
    sharedSha256: {
      'data_batch_1.bin.gz': '6fcee3c4b6ea120cf82b263e2e9fe932e7edf7daf530e8b8ed62c178f70910c6',
      'data_batch_2.bin.gz': 'fdda9af5bfc1ff90c0018a3c997cc37619077ae8e4e7f1238323a8259607add2',
      'data_batch_3.bin.gz': '6cfabbc0ca93a74e247cf16f68544c0b2162576f7e2aa8d8e5d73778cbdfe628',
      'data_batch_4.bin.gz': '361042113c9a826b76ab9f91d499ae3102fd43ece9af030844a33b4d801c2743',
      'data_batch_5.bin.gz': '4c618c86d699c20baa688bcbc1ca629a1c2e9bbe7647d66c2e6869b025174b12',
      'test_batch.bin.gz': 'a21b575c4e1c0ce054010de4aa1344e2095dedb5e28b93544d8b5909c110da18',
      'batches.meta.txt': '2ce042b1e0b48db4bb214408e6414ba18b2731c24af244f2d6c112fddf31af00',
    },
    classNames: ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'],
    preprocessing: { kind: 'standardize', mean: [125.3069, 122.9504, 113.8654], std: [62.9932, 62.0887, 66.7049] },
    headlineTest: { first: 0, count: 1000 },
    caveats: [
      {
        split: 'test',
        from: 0,
        to: 1000,
        text: 'Computed on CIFAR-10 test records 0-999 only: the 1,000 exact images of the shared copy, a subset of the 10,000-image test set.',
      },
      {
        split: 'test',
        from: 1000,
        to: 10000,
        text: 'CIFAR-10 test records 1000-9999 in the shared copy were decoded from quality-75 JPEGs (lossy; costs a model 5-8 points) and are not in official order. Headline figures use the 1,000 exact records 0-999.',
      },
    ],
  },
  {
    id: 'cifar100',
    label: 'CIFAR-100',
    shape: [32, 32, 3],
    numClasses: 100,
    trainCount: 50000,
    testCount: 10000,
    files: [
      { name: 'train.bin.gz', format: 'cifar100-bin', split: 'train', records: 50000 },
      { name: 'test.bin.gz', format: 'cifar100-bin', split: 'test', records: 10000 },
      { name: 'fine_label_names.txt', format: 'text-lines', split: 'meta' },
      { name: 'coarse_label_names.txt', format: 'text-lines', split: 'meta' },
    ],
    official: { '*': { url: 'https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz', md5: '03b5dce01913d631647c71ecec9e9cb8', packaging: 'tar.gz', archiveDir: 'cifar-100-binary' } },
    preprocessing: { kind: 'standardize', mean: [129.3, 124.1, 112.4], std: [68.2, 65.4, 70.4] },
    headlineTest: { first: 0, count: 10000 },
    caveats: [],
  },
]);

export type DatasetId = (typeof DATASETS)[number]['id'];
export type DatasetDescriptor = DatasetEntry<DatasetId>;

export function getDataset(id: string): DatasetDescriptor {
  const d = DATASETS.find((x) => x.id === id);
  if (!d) throw new Error(`Unknown dataset "${id}". Known: ${DATASETS.map((x) => x.id).join(', ')}`);
  return d;
}

/** Caveats that apply to records [first, first+count) of a split. */
export function caveatsFor(d: DatasetDescriptor, split: Split, first: number, count: number): DataCaveat[] {
  return d.caveats.filter((c) => c.split === split && c.from < first + count && c.to > first);
}
