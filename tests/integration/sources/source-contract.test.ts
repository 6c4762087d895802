// Every source passes the Source port's contract suite against its simulator (one line each).
import { describeSourceContract } from './source-contract';
import { brainstemFixture } from './brainstem/contract-fixture';
import { hyperstudyFixture } from './hyperstudy/contract-fixture';

describeSourceContract(hyperstudyFixture);
describeSourceContract(brainstemFixture);
